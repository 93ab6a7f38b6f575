/* sd-demo-clients.h: private clients and companies with valid requisites.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-demo-random.h"
#include "sd-store.h"

G_BEGIN_DECLS

/* @fields: the contact fields of the playbooks (SdCustomField), each given a value. */
gint64 sd_demo_add_contact (SdStore      *store,
                            SdDemoRandom *random,
                            GPtrArray    *fields,
                            GError      **error);
gint64 sd_demo_add_company (SdStore      *store,
                            SdDemoRandom *random,
                            GError      **error);
/* A 10-digit organisation INN with a correct check digit. */
char  *sd_demo_make_inn    (SdDemoRandom *random);
char  *sd_demo_make_address (SdDemoRandom *random);

G_END_DECLS
