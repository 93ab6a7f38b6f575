/* b24-userfield.h: user fields (UF_CRM_*) as the entity engine sees them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "b24-emulator.h"

G_BEGIN_DECLS

/* FIELD_NAMEs of @entity_id in ID order. */
GPtrArray *b24_userfield_names (B24Emu     *emu,
                                const char *entity_id);
/* Converts a written value to the form crm.*.get prints; FALSE when there is no such field. */
gboolean b24_userfield_value_in (B24Call    *call,
                                 const char *entity_id,
                                 const char *name,
                                 JsonNode   *value,
                                 JsonNode  **out);
/* Adds the crm.*.fields description of every user field of @entity_id to @fields. */
void b24_userfield_describe (B24Emu     *emu,
                             const char *entity_id,
                             JsonObject *fields);

G_END_DECLS
