//! Azure Policy initiative import (in progress).
