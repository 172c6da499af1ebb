/* offsetof(), and the UAPI header of this name that <linux/posix_types.h> wants */
#include_next <linux/stddef.h>
#include <stddef.h>
