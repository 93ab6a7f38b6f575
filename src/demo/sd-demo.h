/* sd-demo.h: a deterministic, realistic Russian demo dataset.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sd-store.h"

G_BEGIN_DECLS

typedef struct
{
  guint   n_deals;
  guint64 seed;
  gint64  today;  /* UTC seconds of the day the dataset ends on; dates spread over the
                   * year before it. The same seed and day give the same database. */
} SdDemoOptions;

/* Installs the shipped playbooks, then staff, clients and deals, in one transaction. */
gboolean  sd_demo_generate      (SdStore             *store,
                                 const SdDemoOptions *options,
                                 GFileProgressCallback progress,
                                 gpointer             progress_data,
                                 GError             **error);

/* Where the app keeps its own database when none is configured. */
char     *sd_demo_default_path  (void);

/* Opens @path, first making the embedded demo (about 300 deals) if there is no file. */
SdStore  *sd_demo_open_or_create (const char *path,
                                  GError    **error);

G_END_DECLS
