/* sd-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-error.h"

G_DEFINE_QUARK (sd-store-error-quark, sd_store_error)
G_DEFINE_QUARK (sd-access-error-quark, sd_access_error)
