//! v3 mapping workbook import (in progress).
