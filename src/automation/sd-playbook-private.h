/* sd-playbook-private.h: what the playbook files share; not for other code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-playbook.h"

G_BEGIN_DECLS

struct _SdPlaybookText
{
  GStrv languages;  /* "" for a text given as a plain string */
  GStrv texts;
};

struct _SdPlaybook
{
  char           *code;
  SdPlaybookText *name;
  char           *currency;
  gint64          sort;
  GPtrArray      *roles;   /* SdPlaybookRole * */
  GPtrArray      *stages;  /* SdPlaybookStage * */
  GPtrArray      *fields;  /* SdPlaybookField * */
  GPtrArray      *access;  /* SdPlaybookAccess * */
  JsonNode       *mapping;
};

SdPlaybook     *sd_playbook_new           (void);
SdPlaybookText *sd_playbook_text_new      (void);
void            sd_playbook_text_free     (SdPlaybookText *text);
void            sd_playbook_role_free     (SdPlaybookRole *role);
void            sd_playbook_stage_free    (SdPlaybookStage *stage);
void            sd_playbook_field_free    (SdPlaybookField *field);
void            sd_playbook_option_free   (SdPlaybookOption *option);
void            sd_playbook_access_free   (SdPlaybookAccess *access);

/* sd-playbook-parse.c: builds a playbook from a parsed document, or says what is wrong. */
SdPlaybook     *sd_playbook_parse         (const char  *name_for_errors,
                                           JsonNode    *root,
                                           GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SdPlaybookText, sd_playbook_text_free)

G_END_DECLS
