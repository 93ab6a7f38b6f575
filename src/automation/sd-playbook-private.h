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
  SdRatingRule   *rating;  /* NULL: no seller rating */
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

gboolean        sd_playbook_is_code       (const char  *text);
/* A text shown to users at @path: a string, or an object of strings by language. */
gboolean        sd_playbook_parse_text    (const char      *file,
                                           const char      *path,
                                           JsonNode        *node,
                                           SdPlaybookText **out,
                                           GError         **error);

/* sd-rule-parse.c: the guards, triggers and robots of every stage of @root, checked
 * against @pb's stages, roles and fields, into each stage's rules. */
gboolean        sd_rules_parse            (const char  *file,
                                           JsonObject  *root,
                                           SdPlaybook  *pb,
                                           GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SdPlaybookText, sd_playbook_text_free)

G_END_DECLS
