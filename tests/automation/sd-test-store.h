/* sd-test-store.h: fresh store files for the automation tests, and a way to tell that a
 * store was not touched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-playbook.h"
#include "sd-store.h"

G_BEGIN_DECLS

typedef struct
{
  char    *dir;
  char    *path;
  SdStore *store;
} SdTestStore;

/* A new store in a new temporary folder; removed again by sd_test_store_free. */
SdTestStore *sd_test_store_new       (void);
void         sd_test_store_free      (SdTestStore *ts);

/* Every row of every table, as text with its SHA-256: equal digests, equal contents. */
char        *sd_test_store_digest    (SdTestStore *ts);
gint64       sd_test_store_count     (SdTestStore *ts,
                                      const char  *table);

/* A shipped playbook by file name, e.g. "renovation.json". */
SdPlaybook  *sd_test_load_shipped    (const char  *file_name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SdTestStore, sd_test_store_free)

G_END_DECLS
