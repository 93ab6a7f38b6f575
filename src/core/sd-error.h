/* sd-error.h: the error domains of the core layer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SD_STORE_ERROR (sd_store_error_quark ())
#define SD_ACCESS_ERROR (sd_access_error_quark ())

typedef enum
{
  SD_STORE_ERROR_CANNOT_OPEN,     /* missing directory, permissions, read-only medium */
  SD_STORE_ERROR_CORRUPT,         /* not a database, or a damaged one */
  SD_STORE_ERROR_NEWER_SCHEMA,    /* made by a newer Sdelka: left untouched */
  SD_STORE_ERROR_INVALID,         /* a value the schema refuses (type, range, reference) */
  SD_STORE_ERROR_NOT_FOUND,
  SD_STORE_ERROR_BUSY,
  SD_STORE_ERROR_FAILED,
} SdStoreError;

typedef enum
{
  SD_ACCESS_ERROR_DENIED,
} SdAccessError;

GQuark sd_store_error_quark (void);
GQuark sd_access_error_quark (void);

G_END_DECLS
