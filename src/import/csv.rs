//! Feature Summary CSV import (in progress).
