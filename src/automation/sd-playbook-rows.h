/* sd-playbook-rows.h: the ids of what an earlier install of a playbook left in the store,
 * so a new install can update those rows instead of adding new ones.
 *
 * The store's public API finds pipelines, stages and roles by code but has no lookup for
 * custom fields, their options or access rows, and layers above the core may not use its
 * private statements. Until it has one, these rows are read through a read-only
 * connection of our own to the store's file. That connection sees committed rows only,
 * which is all an install needs when it is not nested in a caller's open transaction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-store.h"

G_BEGIN_DECLS

typedef struct _SdPlaybookRows SdPlaybookRows;

/* Reads the rows of the pipeline @code and of the pipeline-less (contact) fields. */
SdPlaybookRows *sd_playbook_rows_read           (SdStore          *store,
                                                 const char       *code,
                                                 GError          **error);
void            sd_playbook_rows_free           (SdPlaybookRows   *rows);

/* @pipeline_id 0 looks among the contact fields. 0 when there is none. */
gint64          sd_playbook_rows_find_field     (SdPlaybookRows   *rows,
                                                 gint64            pipeline_id,
                                                 const char       *code);
gint64          sd_playbook_rows_find_option    (SdPlaybookRows   *rows,
                                                 gint64            field_id,
                                                 const char       *code);
gint64          sd_playbook_rows_find_access    (SdPlaybookRows   *rows,
                                                 gint64            role_id,
                                                 gint64            stage_id);

/* Ids (gint64) of @field_id's options whose code is not in the set @codes. */
GArray         *sd_playbook_rows_options_except (SdPlaybookRows   *rows,
                                                 gint64            field_id,
                                                 GHashTable       *codes);
/* Ids (gint64) of the pipeline's access rows not in @kept. */
GArray         *sd_playbook_rows_access_except  (SdPlaybookRows   *rows,
                                                 GArray           *kept);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SdPlaybookRows, sd_playbook_rows_free)

G_END_DECLS
