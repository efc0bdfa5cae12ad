//! `sitemap.xml`: every page of the site under the book's `site-url`. Search engines want
//! absolute URLs, so a published book sets `site-url` to one (`https://…/`); with a path
//! only, the sitemap lists paths.

use crate::render::text::escape_html;
use crate::resolve::Doc;

pub fn render(base: &str, docs: &[&Doc]) -> String {
    let mut pages = vec![String::new(), "matrix/".into(), "controls/".into()];
    pages.extend(docs.iter().map(|d| format!("{}/", d.slug)));
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for page in pages {
        xml.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            escape_html(&format!("{base}{page}"))
        ));
    }
    xml.push_str("</urlset>\n");
    xml
}
