// Out-of-line anchor for the Error type (keeps one vtable).
#include "common/error.h"
