//! MCSB catalog workbook import (in progress).
