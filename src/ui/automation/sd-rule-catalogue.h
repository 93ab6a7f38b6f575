/* sd-rule-catalogue.h: the rules a person can add to a stage, each a ready-made rule
 * to adjust in the editor.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-playbook-copy.h"

G_BEGIN_DECLS

typedef struct
{
  const char *id;      /* stable: the add action's parameter */
  SdRuleList  list;
  const char *label;   /* untranslated: pass through gettext */
} SdRuleCatalogueEntry;

guint                       sd_rule_catalogue_get_n   (void);
const SdRuleCatalogueEntry *sd_rule_catalogue_get     (guint               index);
const SdRuleCatalogueEntry *sd_rule_catalogue_find    (const char         *id);

/* A new rule of the entry for stage @stage of @copy: a code not used there, texts in the
 * person's language, and a move or a notification aimed at the next stage or person. */
JsonNode                   *sd_rule_catalogue_make    (const SdRuleCatalogueEntry *entry,
                                                       SdPlaybookCopy             *copy,
                                                       guint                       stage);

G_END_DECLS
