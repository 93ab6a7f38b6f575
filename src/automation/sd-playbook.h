/* sd-playbook.h: a pipeline described as data — stages, custom fields, roles and the
 * role x stage access table — loaded from JSON, checked as a whole, and installed into
 * the store.
 *
 * The format is described in docs/PLAYBOOKS.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "sd-access.h"
#include "sd-rule.h"
#include "sd-store.h"

G_BEGIN_DECLS

#define SD_PLAYBOOK_ERROR (sd_playbook_error_quark ())

typedef enum
{
  SD_PLAYBOOK_ERROR_IO,       /* the file cannot be read */
  SD_PLAYBOOK_ERROR_SYNTAX,   /* not JSON */
  SD_PLAYBOOK_ERROR_INVALID,  /* JSON, but not a valid playbook */
} SdPlaybookError;

GQuark sd_playbook_error_quark (void);

/* The format version this code reads; a playbook states it in "format". */
#define SD_PLAYBOOK_FORMAT 1

typedef struct _SdPlaybook SdPlaybook;

/* A text shown to users: one string, or one per language ("en", "ru", …). */
typedef struct _SdPlaybookText SdPlaybookText;

typedef struct
{
  char           *code;
  SdPlaybookText *name;
} SdPlaybookRole;

typedef struct
{
  char           *code;
  SdPlaybookText *name;
  char           *color;      /* "#rrggbb", lower case */
  char           *semantics;  /* "process", "won", "lost" */
  gint64          sort;
  JsonNode       *guards;     /* the rules as written, for an editor to start from */
  JsonNode       *triggers;
  JsonNode       *robots;
  GPtrArray      *rules;      /* SdRule *: guards, then triggers, then robots */
} SdPlaybookStage;

typedef struct
{
  char           *code;
  SdPlaybookText *label;
} SdPlaybookOption;

typedef struct
{
  char           *code;
  SdPlaybookText *name;
  char           *kind;       /* "string", "number", "date", "bool", "list" */
  char           *entity;     /* "deal" or "contact" */
  gboolean        required;
  gint64          sort;
  GPtrArray      *options;    /* SdPlaybookOption *; empty unless kind is "list" */
} SdPlaybookField;

/* One role at one stage; rows naming the same pair in the file are merged. */
typedef struct
{
  char           *role;
  char           *stage;
  SdAccessAction  actions;
} SdPlaybookAccess;

SdPlaybook *sd_playbook_load_file       (const char        *path,
                                         GError           **error);
SdPlaybook *sd_playbook_load_data       (const char        *name_for_errors,
                                         const char        *json,
                                         gssize             length,
                                         GError           **error);
void        sd_playbook_free            (SdPlaybook        *pb);

const char *sd_playbook_get_code        (const SdPlaybook  *pb);
const SdPlaybookText *sd_playbook_get_name (const SdPlaybook *pb);
const char *sd_playbook_get_currency    (const SdPlaybook  *pb);
gint64      sd_playbook_get_sort        (const SdPlaybook  *pb);

guint       sd_playbook_get_n_roles     (const SdPlaybook  *pb);
const SdPlaybookRole *sd_playbook_get_role (const SdPlaybook *pb,
                                            guint             index);
guint       sd_playbook_get_n_stages    (const SdPlaybook  *pb);
const SdPlaybookStage *sd_playbook_get_stage (const SdPlaybook *pb,
                                              guint             index);
const SdPlaybookStage *sd_playbook_find_stage (const SdPlaybook *pb,
                                               const char       *code);
guint       sd_playbook_get_n_fields    (const SdPlaybook  *pb);
const SdPlaybookField *sd_playbook_get_field (const SdPlaybook *pb,
                                              guint             index);
guint       sd_playbook_get_n_access    (const SdPlaybook  *pb);
const SdPlaybookAccess *sd_playbook_get_access_row (const SdPlaybook *pb,
                                                    guint             index);
/* What @role may do at @stage by this playbook: SD_ACCESS_NONE when no row says. */
SdAccessAction sd_playbook_get_access   (const SdPlaybook  *pb,
                                         const char        *role,
                                         const char        *stage);
/* The reserved Bitrix24 mapping object, or NULL; kept, not interpreted yet. */
JsonNode   *sd_playbook_get_mapping     (const SdPlaybook  *pb);

/* The text in the first of @languages it has (NULL: g_get_language_names ()), else in
 * English, else in the first language it was written in. */
const char *sd_playbook_text_get        (const SdPlaybookText *text,
                                         const char * const   *languages);

/* Writes the pipeline, its stages, the roles it names, its custom fields and their
 * options and its access rows in one transaction through the store's write API, as the
 * system actor. Rows are matched by code: installing again changes nothing, installing an
 * edited playbook updates what changed. Access rows of this pipeline that the playbook no
 * longer grants, and options it no longer lists, are removed; stages and fields it no
 * longer lists stay, since deals may still point at them. Names are written in the
 * first language of g_get_language_names () a text has. Returns the pipeline id, or 0. */
gint64      sd_playbook_install         (const SdPlaybook  *pb,
                                         SdStore           *store,
                                         GError           **error);

/* The shipped playbooks (*.json, sorted by name): from $SDELKA_DATADIR/playbooks if it is
 * set, else the installed ones, else the source tree's for an uninstalled build. */
GPtrArray  *sd_playbook_default_paths   (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SdPlaybook, sd_playbook_free)

G_END_DECLS
