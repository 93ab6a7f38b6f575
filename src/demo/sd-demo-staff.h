/* sd-demo-staff.h: the demo company's departments and people.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-demo-random.h"
#include "sd-store.h"

G_BEGIN_DECLS

/* Users of one role, in the order they were made. */
typedef struct
{
  GHashTable *by_role;  /* role code -> GArray of gint64 user ids */
} SdDemoStaff;

gboolean sd_demo_staff_create (SdStore      *store,
                               SdDemoRandom *random,
                               SdDemoStaff  *staff,
                               GError      **error);
void     sd_demo_staff_clear  (SdDemoStaff  *staff);
/* A user of @role, or 0 when the playbooks define no such role. */
gint64   sd_demo_staff_pick   (SdDemoStaff  *staff,
                               SdDemoRandom *random,
                               const char   *role);

/* "Иванов Сергей Петрович" parts for a person of either sex. */
void     sd_demo_person_name  (SdDemoRandom *random,
                               char        **first,
                               char        **last,
                               char        **second);
char    *sd_demo_translit     (const char   *text);

G_END_DECLS
