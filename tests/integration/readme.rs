//! README stays true: its rule table is the registry's. `UPDATE_README=1 cargo test`
//! rewrites it.

use crate::common::*;

#[test]
fn readme_lists_every_rule() {
    let path = repo_root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (start, end) = ("<!-- rules:start -->\n", "<!-- rules:end -->");
    let a = readme
        .find(start)
        .expect("README has the rules:start marker")
        + start.len();
    let b = readme.find(end).expect("README has the rules:end marker");
    let table = controlbook::rules::markdown_table();
    if readme[a..b] != table {
        if std::env::var_os("UPDATE_README").is_some() {
            let updated = format!("{}{table}{}", &readme[..a], &readme[b..]);
            std::fs::write(&path, updated).unwrap();
        } else {
            panic!("README's rule table is stale; run `UPDATE_README=1 cargo test readme`");
        }
    }
}
