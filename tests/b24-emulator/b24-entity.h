/* b24-entity.h: tables described once, used for storage, lists, reads and writes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "b24-emulator.h"

G_BEGIN_DECLS

typedef enum {
  B24_FIELD_ID,          /* INTEGER, emitted as a string */
  B24_FIELD_INT,         /* INTEGER, emitted as a string */
  B24_FIELD_INT_NATIVE,  /* INTEGER, emitted as a number (department SORT) */
  B24_FIELD_STRING,
  B24_FIELD_CHAR,        /* "Y"/"N" */
  B24_FIELD_MONEY,       /* REAL, emitted "%.2f" */
  B24_FIELD_DATETIME,    /* Unix seconds, emitted as ISO 8601 with the portal offset */
  B24_FIELD_DATE,        /* Unix seconds at portal midnight, also emitted as a datetime */
  B24_FIELD_BOOL_NATIVE, /* 0/1, emitted true/false (user ACTIVE) */
  B24_FIELD_JSON,        /* JSON text, emitted as parsed (UF_DEPARTMENT, FILES) */
  B24_FIELD_MULTI,       /* PHONE/EMAIL/…: rows of the multifield table, no column */
} B24FieldType;

typedef enum {
  B24_FIELD_READONLY = 1 << 0,
  B24_FIELD_IMMUTABLE = 1 << 1,
  B24_FIELD_REQUIRED = 1 << 2,
  B24_FIELD_MULTIPLE = 1 << 3,
  B24_FIELD_OMIT_NULL = 1 << 4, /* left out of the row when empty (department PARENT) */
  B24_FIELD_HIDDEN = 1 << 5,    /* stored, never printed (owner of a task link…) */
} B24FieldFlags;

typedef struct {
  const char *name;      /* REST name; also the column name */
  B24FieldType type;
  const char *rest_type; /* as crm.*.fields prints it */
  guint flags;
  const char *title;
  const char *status_type;
  const char *out_name;  /* printed name when it differs (tasks: camelCase) */
} B24Field;

typedef enum {
  B24_ENTITY_ADD,
  B24_ENTITY_UPDATE,
  B24_ENTITY_DELETE,
} B24EntityOp;

typedef struct _B24Entity B24Entity;

/* Fills defaults, checks and derives values before a write; @values maps column → node. */
typedef gboolean (*B24EntityPrepare) (B24Call    *call,
                                      gint64      id,
                                      GHashTable *values,
                                      B24Reply   *reply);
typedef void (*B24EntityAfter) (B24Call    *call,
                                gint64      id,
                                B24EntityOp op);

struct _B24Entity {
  const char *table;
  const B24Field *fields;   /* NULL-terminated; the first is ID */
  const char *uf_entity;    /* "CRM_DEAL"…, NULL without user fields */
  const char *mf_entity;    /* "CONTACT"/"COMPANY" for multi-fields */
  const char *event_prefix; /* "ONCRMDEAL" → ONCRMDEALADD/UPDATE/DELETE */
  const char *default_order;
  const char *untitled;     /* "Deal #": a row added without TITLE is titled this + ID */
  const char *comment_type; /* timeline ENTITY_TYPE: deleting a row deletes its comments */
  B24EntityPrepare prepare;
  B24EntityAfter after;
};

extern const B24Entity b24_entity_deal;
extern const B24Entity b24_entity_contact;
extern const B24Entity b24_entity_company;
extern const B24Entity b24_entity_requisite;
extern const B24Entity b24_entity_user;
extern const B24Entity b24_entity_department;
extern const B24Entity b24_entity_timeline_comment;
extern const B24Entity b24_entity_task;
extern const B24Entity b24_entity_lead;

/* The list of every entity, for the schema and the dump. */
const B24Entity *const *b24_entity_all (void);

char *b24_entity_create_sql (const B24Entity *entity);
const B24Field *b24_entity_field (const B24Entity *entity,
                                  const char      *name);
gboolean b24_entity_exists (B24Emu          *emu,
                            const B24Entity *entity,
                            gint64           id);

/* What a read returns: standard fields, user fields, multi-fields. */
typedef struct {
  GHashTable *names;   /* selected field names; NULL = every standard field and user field */
  gboolean all_std;
  gboolean all_uf;
  gboolean multi;      /* every multi-field (the get methods) */
  GPtrArray *uf_names; /* the entity's user fields, read with the first row */
  gboolean *picked;    /* with @names: whether each standard field is in, from the first row */
} B24Select;

void b24_select_init (B24Select       *select,
                      const B24Entity *entity,
                      JsonNode        *node);
void b24_select_clear (B24Select *select);

/* "SELECT <columns> FROM <table>" for row_to_json. */
char *b24_entity_select_sql (const B24Entity *entity);
JsonObject *b24_entity_row_to_json (B24Call         *call,
                                    const B24Entity *entity,
                                    sqlite3_stmt    *stmt,
                                    B24Select       *select);
JsonObject *b24_entity_get (B24Call         *call,
                            const B24Entity *entity,
                            gint64           id,
                            B24Select       *select);
/* Add (@id 0) or update; returns the ID, or 0 with @reply set to the error. */
gint64 b24_entity_write (B24Call         *call,
                         const B24Entity *entity,
                         gint64           id,
                         JsonObject      *fields,
                         B24Reply        *reply);
void b24_entity_delete (B24Call         *call,
                        const B24Entity *entity,
                        gint64           id);
/* Converts one REST value for @field to the stored form; NULL when it is not valid. */
JsonNode *b24_entity_value_in (B24Emu         *emu,
                               const B24Field *field,
                               JsonNode       *node);

/* Sets @column to @node (taken) unless a value is already there. */
void b24_values_default (GHashTable *values,
                         const char *column,
                         JsonNode   *node);

/* Generic handlers for the old CRM methods; B24Method.data is the entity. */
void b24_crm_list (B24Call  *call,
                   B24Reply *reply);
void b24_crm_get (B24Call  *call,
                  B24Reply *reply);
void b24_crm_add (B24Call  *call,
                  B24Reply *reply);
void b24_crm_update (B24Call  *call,
                     B24Reply *reply);
void b24_crm_delete (B24Call  *call,
                     B24Reply *reply);
void b24_crm_fields (B24Call  *call,
                     B24Reply *reply);

G_END_DECLS
