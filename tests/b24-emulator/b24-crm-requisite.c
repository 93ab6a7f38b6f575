/* b24-crm-requisite.c: crm.requisite.* and the preset list.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-entity.h"
#include "b24-envelope.h"

#define RO B24_FIELD_READONLY
#define REQ B24_FIELD_REQUIRED

static const B24Field requisite_fields[] = {
  { "ID", B24_FIELD_ID, "integer", RO, "ID" },
  { "ENTITY_TYPE_ID", B24_FIELD_INT, "integer", REQ | B24_FIELD_IMMUTABLE, "Тип родительской сущности" },
  { "ENTITY_ID", B24_FIELD_INT, "integer", REQ | B24_FIELD_IMMUTABLE, "ID родительской сущности" },
  { "PRESET_ID", B24_FIELD_INT, "integer", REQ, "Шаблон" },
  { "DATE_CREATE", B24_FIELD_DATETIME, "datetime", RO, "Дата создания" },
  { "DATE_MODIFY", B24_FIELD_DATETIME, "datetime", RO, "Дата изменения" },
  { "CREATED_BY_ID", B24_FIELD_INT, "user", RO, "Кем создан" },
  { "MODIFY_BY_ID", B24_FIELD_INT, "user", RO, "Кем изменён" },
  { "NAME", B24_FIELD_STRING, "string", REQ, "Название" },
  { "CODE", B24_FIELD_STRING, "string", 0, "Символьный код" },
  { "XML_ID", B24_FIELD_STRING, "string", 0, "Внешний ключ" },
  { "ORIGINATOR_ID", B24_FIELD_STRING, "string", 0, "Внешний источник" },
  { "ACTIVE", B24_FIELD_CHAR, "char", 0, "Активен" },
  { "ADDRESS_ONLY", B24_FIELD_CHAR, "char", 0, "Только адрес" },
  { "SORT", B24_FIELD_INT, "integer", 0, "Сортировка" },
  { "RQ_NAME", B24_FIELD_STRING, "string", 0, "ФИО" },
  { "RQ_FIRST_NAME", B24_FIELD_STRING, "string", 0, "Имя" },
  { "RQ_LAST_NAME", B24_FIELD_STRING, "string", 0, "Фамилия" },
  { "RQ_SECOND_NAME", B24_FIELD_STRING, "string", 0, "Отчество" },
  { "RQ_COMPANY_NAME", B24_FIELD_STRING, "string", 0, "Сокращённое наименование организации" },
  { "RQ_COMPANY_FULL_NAME", B24_FIELD_STRING, "string", 0, "Полное наименование организации" },
  { "RQ_DIRECTOR", B24_FIELD_STRING, "string", 0, "Генеральный директор" },
  { "RQ_ACCOUNTANT", B24_FIELD_STRING, "string", 0, "Главный бухгалтер" },
  { "RQ_EMAIL", B24_FIELD_STRING, "string", 0, "E-mail" },
  { "RQ_PHONE", B24_FIELD_STRING, "string", 0, "Телефон" },
  { "RQ_INN", B24_FIELD_STRING, "string", 0, "ИНН" },
  { "RQ_KPP", B24_FIELD_STRING, "string", 0, "КПП" },
  { "RQ_OGRN", B24_FIELD_STRING, "string", 0, "ОГРН" },
  { "RQ_OGRNIP", B24_FIELD_STRING, "string", 0, "ОГРНИП" },
  { "RQ_OKPO", B24_FIELD_STRING, "string", 0, "ОКПО" },
  { "RQ_OKVED", B24_FIELD_STRING, "string", 0, "ОКВЭД" },
  { NULL },
};

static gboolean
requisite_prepare (B24Call    *call,
                   gint64      id,
                   GHashTable *values,
                   B24Reply   *reply)
{
  JsonNode *type = g_hash_table_lookup (values, "ENTITY_TYPE_ID");

  if (id != 0)
    return TRUE;
  for (const B24Field *f = requisite_fields; f->name != NULL; f++)
    {
      JsonNode *value = g_hash_table_lookup (values, f->name);

      if ((f->flags & REQ) != 0 && (value == NULL || JSON_NODE_HOLDS_NULL (value)))
        {
          g_autofree char *message = g_strdup_printf ("Required fields: %s.", f->name);

          b24_reply_crm_error (reply, message);
          return FALSE;
        }
    }
  if (json_node_get_int (type) != 3 && json_node_get_int (type) != 4)
    {
      b24_reply_crm_error (reply, "Invalid value of ENTITY_TYPE_ID.");
      return FALSE;
    }
  b24_values_default (values, "ACTIVE", b24_node_string ("Y"));
  b24_values_default (values, "ADDRESS_ONLY", b24_node_string ("N"));
  b24_values_default (values, "SORT", json_node_init_int (json_node_alloc (), 500));
  return TRUE;
}

const B24Entity b24_entity_requisite = {
  .table = "requisite",
  .fields = requisite_fields,
  .uf_entity = "CRM_REQUISITE",
  .prepare = requisite_prepare,
};

/* The presets of a Russian portal. */
static void
preset_list (B24Call  *call,
             B24Reply *reply)
{
  static const char *const names[] = { "Организация", "ИП", "Физ. лицо", NULL };
  JsonArray *rows = json_array_new ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      JsonObject *row = json_object_new ();
      g_autofree char *id = g_strdup_printf ("%u", i + 1);

      json_object_set_string_member (row, "ID", id);
      json_object_set_string_member (row, "ENTITY_TYPE_ID", "8");
      json_object_set_string_member (row, "COUNTRY_ID", "1");
      json_object_set_string_member (row, "NAME", names[i]);
      json_object_set_string_member (row, "ACTIVE", "Y");
      json_object_set_string_member (row, "SORT", "500");
      json_array_add_object_element (rows, row);
    }
  reply->total = json_array_get_length (rows);
  b24_reply_set_result (reply, b24_node_take_array (rows));
}

static const B24Method requisite_methods[] = {
  { "crm.requisite.list", "crm", b24_crm_list, 0, &b24_entity_requisite },
  { "crm.requisite.get", "crm", b24_crm_get, 0, &b24_entity_requisite },
  { "crm.requisite.add", "crm", b24_crm_add, 0, &b24_entity_requisite },
  { "crm.requisite.update", "crm", b24_crm_update, 0, &b24_entity_requisite },
  { "crm.requisite.delete", "crm", b24_crm_delete, 0, &b24_entity_requisite },
  { "crm.requisite.fields", "crm", b24_crm_fields, 0, &b24_entity_requisite },
  { "crm.requisite.preset.list", "crm", preset_list },
};

void
b24_crm_requisite_register (B24Emu *emu)
{
  b24_emu_add_methods (emu, requisite_methods, G_N_ELEMENTS (requisite_methods));
}
