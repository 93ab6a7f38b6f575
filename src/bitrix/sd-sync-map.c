/* sd-sync-map.c: the field correspondence of deals, contacts and companies.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-sync-map.h"

#include "sd-money.h"
#include "sd-playbook.h"
#include "sd-records.h"
#include "sd-store-sync.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

typedef enum
{
  MAP_TEXT,        /* text as it is; @fallback for a required column when the portal has none */
  MAP_MONEY,       /* "192500.00" <-> kopecks */
  MAP_REF,         /* server id <-> local id of @ref */
  MAP_PIPELINE,    /* CATEGORY_ID <-> pipeline */
  MAP_STAGE,       /* STATUS_ID within the row's pipeline <-> stage */
  MAP_FIRST_VALUE, /* the first VALUE of a multi-field (PHONE, EMAIL) */
} MapKind;

typedef enum
{
  MAP_BOTH = 0,
  MAP_PULL_ONLY = 1 << 0,    /* the portal keeps it (CREATED_BY_ID) or it is shaped otherwise */
  MAP_CREATE_ONLY = 1 << 1,  /* immutable after creation (CATEGORY_ID, reference §7.1) */
} MapFlags;

typedef struct
{
  const char *local;
  const char *remote;
  MapKind     kind;
  SdEntity    ref;
  MapFlags    flags;
  const char *fallback;
} FieldMap;

/* The pipeline comes before the stage: a stage is found within it. */
static const FieldMap deal_map[] = {
  { "title", "TITLE", MAP_TEXT, 0, MAP_BOTH, "—" },
  { "pipeline_id", "CATEGORY_ID", MAP_PIPELINE, SD_ENTITY_PIPELINE, MAP_CREATE_ONLY, NULL },
  { "stage_id", "STAGE_ID", MAP_STAGE, SD_ENTITY_STAGE, MAP_BOTH, NULL },
  { "amount", "OPPORTUNITY", MAP_MONEY, 0, MAP_BOTH, NULL },
  { "currency", "CURRENCY_ID", MAP_TEXT, 0, MAP_BOTH, "RUB" },
  { "contact_id", "CONTACT_ID", MAP_REF, SD_ENTITY_CONTACT, MAP_BOTH, NULL },
  { "company_id", "COMPANY_ID", MAP_REF, SD_ENTITY_COMPANY, MAP_BOTH, NULL },
  { "source", "SOURCE_ID", MAP_TEXT, 0, MAP_BOTH, NULL },
  { "comments", "COMMENTS", MAP_TEXT, 0, MAP_BOTH, NULL },
  { "created_by", "CREATED_BY_ID", MAP_REF, SD_ENTITY_USER, MAP_PULL_ONLY, NULL },
};

static const FieldMap contact_map[] = {
  { "first_name", "NAME", MAP_TEXT, 0, MAP_BOTH, "" },
  { "last_name", "LAST_NAME", MAP_TEXT, 0, MAP_BOTH, NULL },
  { "second_name", "SECOND_NAME", MAP_TEXT, 0, MAP_BOTH, NULL },
  { "client_type", "TYPE_ID", MAP_TEXT, 0, MAP_BOTH, NULL },
  { "address", "ADDRESS", MAP_TEXT, 0, MAP_BOTH, NULL },
  { "comments", "COMMENTS", MAP_TEXT, 0, MAP_BOTH, NULL },
};

static const FieldMap company_map[] = {
  { "title", "TITLE", MAP_TEXT, 0, MAP_BOTH, "—" },
  { "address", "ADDRESS", MAP_TEXT, 0, MAP_BOTH, NULL },
  { "phone", "PHONE", MAP_FIRST_VALUE, 0, MAP_PULL_ONLY, NULL },
  { "email", "EMAIL", MAP_FIRST_VALUE, 0, MAP_PULL_ONLY, NULL },
};

static const char * const deal_select[] = {
  "ID", "TITLE", "CATEGORY_ID", "STAGE_ID", "OPPORTUNITY", "CURRENCY_ID", "CONTACT_ID",
  "COMPANY_ID", "SOURCE_ID", "COMMENTS", "CREATED_BY_ID", "MODIFY_BY_ID", "DATE_MODIFY",
  "ASSIGNED_BY_ID", SD_SYNC_KEY_FIELD, NULL,
};
static const char * const contact_select[] = {
  "ID", "NAME", "LAST_NAME", "SECOND_NAME", "TYPE_ID", "ADDRESS", "COMMENTS", "MODIFY_BY_ID",
  "DATE_MODIFY", "PHONE", "EMAIL", SD_SYNC_KEY_FIELD, NULL,
};
static const char * const company_select[] = {
  "ID", "TITLE", "ADDRESS", "PHONE", "EMAIL", "MODIFY_BY_ID", "DATE_MODIFY", SD_SYNC_KEY_FIELD,
  NULL,
};

static const char * const deal_fields[] = {
  "title", "pipeline_id", "stage_id", "amount", "currency", "contact_id", "company_id",
  "source", "comments", NULL,
};
static const char * const contact_fields[] = {
  "first_name", "last_name", "second_name", "client_type", "address", "comments", NULL,
};
static const char * const company_fields[] = { "title", "address", NULL };

static const SdSyncKind kinds[] = {
  { SD_ENTITY_COMPANY, "company", "crm.company", company_select },
  { SD_ENTITY_CONTACT, "contact", "crm.contact", contact_select },
  { SD_ENTITY_DEAL, "deal", "crm.deal", deal_select },
};

static const char * const pushed_entities[] = { "company", "contact", "deal", "deal_field", NULL };
/* Timeline lines and tasks go out in steps of their own (sd-sync-comments.c,
 * sd-sync-tasks.c) after the rows they belong to. */
static const char * const waiting_entities[] = { "company", "contact", "deal", "deal_field", "timeline",
                                                 "task", "contact_channel", "deal_responsible", NULL };

const SdSyncKind *
sd_sync_kinds (guint *n_kinds)
{
  *n_kinds = G_N_ELEMENTS (kinds);
  return kinds;
}

const SdSyncKind *
sd_sync_kind_for (SdEntity entity)
{
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (kinds[i].entity == entity)
      return &kinds[i];
  return NULL;
}

const char * const *
sd_sync_pushed_entities (void)
{
  return pushed_entities;
}

const char * const *
sd_sync_waiting_entities (void)
{
  return waiting_entities;
}

const char * const *
sd_sync_map_fields (SdEntity entity)
{
  switch (entity)
    {
    case SD_ENTITY_DEAL:
      return deal_fields;
    case SD_ENTITY_CONTACT:
      return contact_fields;
    case SD_ENTITY_COMPANY:
      return company_fields;
    default:
      g_return_val_if_reached (NULL);
    }
}

static const FieldMap *
map_for (SdEntity  entity,
         guint    *n_fields)
{
  switch (entity)
    {
    case SD_ENTITY_DEAL:
      *n_fields = G_N_ELEMENTS (deal_map);
      return deal_map;
    case SD_ENTITY_CONTACT:
      *n_fields = G_N_ELEMENTS (contact_map);
      return contact_map;
    case SD_ENTITY_COMPANY:
      *n_fields = G_N_ELEMENTS (company_map);
      return company_map;
    default:
      g_return_val_if_reached (NULL);
    }
}

char *
sd_sync_dup_string (JsonObject *row,
                    const char *member)
{
  JsonNode *node = json_object_get_member (row, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "Y" : "N");
    default:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];
        return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
      }
    }
}

gint64
sd_sync_get_id (JsonObject *row,
                const char *member)
{
  g_autofree char *text = sd_sync_dup_string (row, member);
  gint64 id;
  char *end;

  if (text == NULL || *text == '\0')
    return -1;
  id = g_ascii_strtoll (text, &end, 10);
  return *end == '\0' ? id : -1;
}

gint64
sd_sync_node_id (JsonNode *result)
{
  if (result == NULL || !JSON_NODE_HOLDS_VALUE (result))
    return 0;
  if (json_node_get_value_type (result) == G_TYPE_INT64)
    return json_node_get_int (result);
  if (json_node_get_value_type (result) == G_TYPE_STRING)
    return g_ascii_strtoll (json_node_get_string (result), NULL, 10);
  return 0;
}

gboolean
sd_sync_map_pull (SdStore     *store,
                  SdEntity     entity,
                  JsonObject  *row,
                  SdChanges   *changes,
                  GError     **error)
{
  guint n_fields = 0;
  const FieldMap *map = map_for (entity, &n_fields);
  gint64 pipeline = 0;

  for (guint i = 0; i < n_fields; i++)
    {
      const FieldMap *f = &map[i];
      g_autofree char *text = NULL;
      gint64 id, local;

      if (!json_object_has_member (row, f->remote))
        continue;
      switch (f->kind)
        {
        case MAP_TEXT:
          text = sd_sync_dup_string (row, f->remote);
          if (text == NULL || (*text == '\0' && f->fallback != NULL && *f->fallback != '\0'))
            {
              if (f->fallback != NULL)
                sd_changes_set_text (changes, f->local, f->fallback);
              else
                sd_changes_set_null (changes, f->local);
            }
          else
            sd_changes_set_text (changes, f->local, text);
          break;

        case MAP_MONEY:
          {
            gint64 minor = 0;

            text = sd_sync_dup_string (row, f->remote);
            if (text != NULL && *text != '\0' && !sd_money_parse (text, &minor))
              minor = 0;
            sd_changes_set_int (changes, f->local, minor);
          }
          break;

        case MAP_REF:
          id = sd_sync_get_id (row, f->remote);
          local = id > 0 ? sd_store_find_b24 (store, f->ref, id) : 0;
          /* Not known here (yet): no link rather than a wrong one. */
          if (local > 0)
            sd_changes_set_int (changes, f->local, local);
          else
            sd_changes_set_null (changes, f->local);
          break;

        case MAP_PIPELINE:
          id = sd_sync_get_id (row, f->remote);
          pipeline = sd_store_find_b24 (store, SD_ENTITY_PIPELINE, MAX (id, 0));
          if (pipeline == 0)
            {
              g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_NOT_FOUND,
                           _("The portal’s pipeline %" PRId64 " is not known here"), id);
              return FALSE;
            }
          sd_changes_set_int (changes, f->local, pipeline);
          break;

        case MAP_STAGE:
          text = sd_sync_dup_string (row, f->remote);
          local = sd_store_find_stage_b24 (store, pipeline, text);
          if (local == 0)
            {
              g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_NOT_FOUND,
                           _("The portal’s stage “%s” is not known here"), text != NULL ? text : "");
              return FALSE;
            }
          sd_changes_set_int (changes, f->local, local);
          break;

        case MAP_FIRST_VALUE:
          {
            JsonNode *node = json_object_get_member (row, f->remote);
            JsonArray *values = node != NULL && JSON_NODE_HOLDS_ARRAY (node)
                                ? json_node_get_array (node) : NULL;
            JsonNode *first = values != NULL && json_array_get_length (values) > 0
                              ? json_array_get_element (values, 0) : NULL;

            if (first != NULL && JSON_NODE_HOLDS_OBJECT (first))
              text = sd_sync_dup_string (json_node_get_object (first), "VALUE");
            if (text != NULL)
              sd_changes_set_text (changes, f->local, text);
            else
              sd_changes_set_null (changes, f->local);
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }
  return TRUE;
}

gboolean
sd_sync_map_push_field (SdStore       *store,
                        SdEntity       entity,
                        const char    *field,
                        const SdValue *value,
                        gboolean       creating,
                        JsonObject    *fields)
{
  guint n_fields = 0;
  const FieldMap *map = map_for (entity, &n_fields);

  for (guint i = 0; i < n_fields; i++)
    {
      const FieldMap *f = &map[i];
      gint64 b24_id;

      if (strcmp (f->local, field) != 0)
        continue;
      if ((f->flags & MAP_PULL_ONLY) || ((f->flags & MAP_CREATE_ONLY) && !creating))
        return FALSE;
      switch (f->kind)
        {
        case MAP_TEXT:
          json_object_set_string_member (fields, f->remote,
                                         value->kind == SD_VALUE_STRING ? value->text : "");
          return TRUE;

        case MAP_MONEY:
          {
            gint64 minor = value->kind == SD_VALUE_NUMBER ? value->number : 0;
            g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT ".%02d", minor / 100,
                                                     (int) (minor % 100));
            json_object_set_string_member (fields, f->remote, text);
          }
          return TRUE;

        case MAP_REF:
        case MAP_PIPELINE:
          if (value->kind == SD_VALUE_NUMBER
              && sd_store_get_b24_id (store, f->ref, value->number, &b24_id))
            json_object_set_int_member (fields, f->remote, b24_id);
          else if (f->kind == MAP_REF)
            json_object_set_string_member (fields, f->remote, "");
          else
            return FALSE;
          return TRUE;

        case MAP_STAGE:
          {
            g_autofree char *status = value->kind == SD_VALUE_NUMBER
                                      ? sd_store_get_stage_b24 (store, value->number) : NULL;
            if (status == NULL)
              return FALSE;
            json_object_set_string_member (fields, f->remote, status);
          }
          return TRUE;

        default:
          return FALSE;
        }
    }
  return FALSE;
}

/* Portal items of a list field to local options: XML_ID is the option's code when the
 * field was made from the playbook, else the label decides. */
static gboolean
link_options (SdStore    *store,
              gint64      field_id,
              JsonArray  *items,
              GError    **error)
{
  g_autoptr(GPtrArray) options = sd_store_list_field_options (store, field_id, error);

  if (options == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      g_autofree char *id = NULL, *xml_id = NULL, *label = NULL;

      if (item == NULL)
        continue;
      id = sd_sync_dup_string (item, "ID");
      xml_id = sd_sync_dup_string (item, "XML_ID");
      label = sd_sync_dup_string (item, "VALUE");
      for (guint o = 0; id != NULL && o < options->len; o++)
        {
          SdFieldOption *option = options->pdata[o];
          g_autoptr(SdChanges) changes = NULL;

          if (g_strcmp0 (option->code, xml_id) != 0 && g_strcmp0 (option->label, label) != 0)
            continue;
          changes = sd_changes_new ();
          sd_changes_set_text (changes, "b24_id", id);
          if (!sd_store_update (store, SD_ENTITY_CUSTOM_FIELD_OPTION, option->id, changes, error))
            return FALSE;
          break;
        }
    }
  return TRUE;
}

static JsonArray *
userfield_items (JsonArray  *userfields,
                 const char *name)
{
  for (guint i = 0; userfields != NULL && i < json_array_get_length (userfields); i++)
    {
      JsonObject *row = json_array_get_object_element (userfields, i);
      g_autofree char *field_name = row != NULL ? sd_sync_dup_string (row, "FIELD_NAME") : NULL;

      if (g_strcmp0 (field_name, name) == 0 && json_object_has_member (row, "LIST")
          && JSON_NODE_HOLDS_ARRAY (json_object_get_member (row, "LIST")))
        return json_object_get_array_member (row, "LIST");
    }
  return NULL;
}

static gboolean
link_playbook (SdStore     *store,
               SdPlaybook  *pb,
               JsonArray   *userfields,
               GError     **error)
{
  JsonNode *mapping_node = sd_playbook_get_mapping (pb);
  JsonObject *mapping, *stages, *fields;
  gint64 pipeline, known;
  GList *members;

  if (mapping_node == NULL || !JSON_NODE_HOLDS_OBJECT (mapping_node))
    return TRUE;
  mapping = json_node_get_object (mapping_node);
  pipeline = sd_store_find_pipeline (store, sd_playbook_get_code (pb));
  if (pipeline == 0)
    return TRUE;   /* not installed here */

  if (json_object_has_member (mapping, "category_id"))
    {
      gint64 category = json_object_get_int_member (mapping, "category_id");

      /* A category already linked (to another playbook) is not taken over. */
      if (sd_store_find_b24 (store, SD_ENTITY_PIPELINE, category) == 0
          && !sd_store_get_b24_id (store, SD_ENTITY_PIPELINE, pipeline, &known)
          && !sd_store_set_b24_state (store, SD_ENTITY_PIPELINE, pipeline, category, NULL, error))
        return FALSE;
    }

  stages = json_object_get_member (mapping, "stages") != NULL
           && JSON_NODE_HOLDS_OBJECT (json_object_get_member (mapping, "stages"))
           ? json_object_get_object_member (mapping, "stages") : NULL;
  members = stages != NULL ? json_object_get_members (stages) : NULL;
  for (GList *l = members; l != NULL; l = l->next)
    {
      gint64 stage = sd_store_find_stage (store, pipeline, l->data);
      const char *status = json_object_get_string_member_with_default (stages, l->data, NULL);
      g_autoptr(SdChanges) changes = NULL;

      if (stage == 0 || status == NULL)
        continue;
      changes = sd_changes_new ();
      sd_changes_set_text (changes, "b24_status_id", status);
      if (!sd_store_update (store, SD_ENTITY_STAGE, stage, changes, error))
        {
          g_list_free (members);
          return FALSE;
        }
    }
  g_list_free (members);

  fields = json_object_get_member (mapping, "fields") != NULL
           && JSON_NODE_HOLDS_OBJECT (json_object_get_member (mapping, "fields"))
           ? json_object_get_object_member (mapping, "fields") : NULL;
  members = fields != NULL ? json_object_get_members (fields) : NULL;
  for (GList *l = members; l != NULL; l = l->next)
    {
      gint64 field = sd_store_find_custom_field (store, pipeline, l->data);
      const char *name = json_object_get_string_member_with_default (fields, l->data, NULL);
      g_autoptr(SdChanges) changes = NULL;
      JsonArray *items;

      if (field == 0)
        field = sd_store_find_custom_field (store, 0, l->data);
      if (field == 0 || name == NULL)
        continue;
      changes = sd_changes_new ();
      sd_changes_set_text (changes, "b24_field", name);
      if (!sd_store_update (store, SD_ENTITY_CUSTOM_FIELD, field, changes, error)
          || ((items = userfield_items (userfields, name)) != NULL
              && !link_options (store, field, items, error)))
        {
          g_list_free (members);
          return FALSE;
        }
    }
  g_list_free (members);
  return TRUE;
}

gboolean
sd_sync_map_link_playbooks (SdStore    *store,
                            JsonArray  *userfields,
                            GError    **error)
{
  g_autoptr(GPtrArray) paths = sd_playbook_default_paths ();

  for (guint i = 0; i < paths->len; i++)
    {
      /* A playbook that does not load is the playbook check's business, not the sync's. */
      g_autoptr(SdPlaybook) pb = sd_playbook_load_file (paths->pdata[i], NULL);

      if (pb != NULL && !link_playbook (store, pb, userfields, error))
        return FALSE;
    }
  return TRUE;
}

char *
sd_sync_map_uf_pull (SdStore          *store,
                     const SdB24Field *field,
                     JsonNode         *value)
{
  g_autofree char *text = NULL;
  char *code;

  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    return NULL;
  /* A multiple field: the first value (the local fields hold one). */
  if (JSON_NODE_HOLDS_ARRAY (value))
    value = json_array_get_length (json_node_get_array (value)) > 0
            ? json_array_get_element (json_node_get_array (value), 0) : NULL;
  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value))
    return NULL;
  if (json_node_get_value_type (value) == G_TYPE_STRING)
    text = g_strdup (json_node_get_string (value));
  else if (json_node_get_value_type (value) == G_TYPE_INT64)
    text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
  else if (json_node_get_value_type (value) == G_TYPE_BOOLEAN)
    text = g_strdup (json_node_get_boolean (value) ? "1" : "0");
  else
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];
      text = g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (value)));
    }
  if (*text == '\0')
    return NULL;
  if (g_strcmp0 (field->kind, "bool") == 0)
    return g_strdup (g_strcmp0 (text, "1") == 0 || g_strcmp0 (text, "Y") == 0 ? "1" : "0");
  if (g_strcmp0 (field->kind, "date") == 0 && strlen (text) >= 10)
    return g_strndup (text, 10);
  if (g_strcmp0 (field->kind, "list") == 0
      && (code = sd_store_option_code_for_b24 (store, field->field_id, text)) != NULL)
    return code;
  return g_steal_pointer (&text);
}

char *
sd_sync_map_uf_push (SdStore          *store,
                     const SdB24Field *field,
                     const char       *value)
{
  char *item;

  if (value == NULL)
    return g_strdup ("");
  if (g_strcmp0 (field->kind, "list") == 0
      && (item = sd_store_option_b24_for_code (store, field->field_id, value)) != NULL)
    return item;
  return g_strdup (value);
}
