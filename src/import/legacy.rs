//! Legacy (v1.1 and v2.0) mapping workbook import (in progress).
