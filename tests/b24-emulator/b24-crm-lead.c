/* b24-crm-lead.c: crm.lead.* — fields, defaults and status semantics; the shared handlers
 * do the rest. Leads arrive here mostly from web forms (the control door's client actions).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-entity.h"
#include "b24-db.h"
#include "b24-envelope.h"

#include <string.h>

#define RO B24_FIELD_READONLY

static const B24Field lead_fields[] = {
  { "ID", B24_FIELD_ID, "integer", RO, "ID" },
  { "TITLE", B24_FIELD_STRING, "string", 0, "Название лида" },
  { "HONORIFIC", B24_FIELD_STRING, "crm_status", 0, "Обращение", "HONORIFIC" },
  { "NAME", B24_FIELD_STRING, "string", 0, "Имя" },
  { "SECOND_NAME", B24_FIELD_STRING, "string", 0, "Отчество" },
  { "LAST_NAME", B24_FIELD_STRING, "string", 0, "Фамилия" },
  { "BIRTHDATE", B24_FIELD_DATE, "date", 0, "Дата рождения" },
  { "COMPANY_TITLE", B24_FIELD_STRING, "string", 0, "Название компании" },
  { "SOURCE_ID", B24_FIELD_STRING, "crm_status", 0, "Источник", "SOURCE" },
  { "SOURCE_DESCRIPTION", B24_FIELD_STRING, "string", 0, "Дополнительно об источнике" },
  { "STATUS_ID", B24_FIELD_STRING, "crm_status", 0, "Стадия", "STATUS" },
  { "STATUS_DESCRIPTION", B24_FIELD_STRING, "string", 0, "Дополнительно о стадии" },
  { "STATUS_SEMANTIC_ID", B24_FIELD_STRING, "string", RO, "Состояние статуса" },
  { "POST", B24_FIELD_STRING, "string", 0, "Должность" },
  { "ADDRESS", B24_FIELD_STRING, "string", 0, "Адрес" },
  { "ADDRESS_CITY", B24_FIELD_STRING, "string", 0, "Город" },
  { "CURRENCY_ID", B24_FIELD_STRING, "crm_currency", 0, "Валюта" },
  { "OPPORTUNITY", B24_FIELD_MONEY, "double", 0, "Сумма" },
  { "IS_MANUAL_OPPORTUNITY", B24_FIELD_CHAR, "char", 0, "Сумма заполнена вручную" },
  { "OPENED", B24_FIELD_CHAR, "char", 0, "Доступен для всех" },
  { "COMMENTS", B24_FIELD_STRING, "string", 0, "Комментарий" },
  { "HAS_PHONE", B24_FIELD_CHAR, "char", RO, "Задан телефон" },
  { "HAS_EMAIL", B24_FIELD_CHAR, "char", RO, "Задан e-mail" },
  { "HAS_IMOL", B24_FIELD_CHAR, "char", RO, "Задана открытая линия" },
  { "ASSIGNED_BY_ID", B24_FIELD_INT, "user", 0, "Ответственный" },
  { "CREATED_BY_ID", B24_FIELD_INT, "user", RO, "Кем создан" },
  { "MODIFY_BY_ID", B24_FIELD_INT, "user", RO, "Кем изменён" },
  { "DATE_CREATE", B24_FIELD_DATETIME, "datetime", RO, "Дата создания" },
  { "DATE_MODIFY", B24_FIELD_DATETIME, "datetime", RO, "Дата изменения" },
  { "DATE_CLOSED", B24_FIELD_DATETIME, "datetime", RO, "Дата закрытия" },
  { "COMPANY_ID", B24_FIELD_INT, "crm_company", 0, "Компания" },
  { "CONTACT_ID", B24_FIELD_INT, "crm_contact", 0, "Контакт" },
  { "IS_RETURN_CUSTOMER", B24_FIELD_CHAR, "char", RO, "Повторный лид" },
  { "ORIGINATOR_ID", B24_FIELD_STRING, "string", 0, "Внешний источник" },
  { "ORIGIN_ID", B24_FIELD_STRING, "string", 0, "Идентификатор во внешнем источнике" },
  { "UTM_SOURCE", B24_FIELD_STRING, "string", 0, "Рекламная система" },
  { "UTM_MEDIUM", B24_FIELD_STRING, "string", 0, "Тип трафика" },
  { "UTM_CAMPAIGN", B24_FIELD_STRING, "string", 0, "Обозначение рекламной кампании" },
  { "UTM_CONTENT", B24_FIELD_STRING, "string", 0, "Содержание кампании" },
  { "UTM_TERM", B24_FIELD_STRING, "string", 0, "Условие поиска кампании" },
  { "LAST_ACTIVITY_TIME", B24_FIELD_DATETIME, "datetime", RO, "Последняя активность" },
  { "LAST_ACTIVITY_BY", B24_FIELD_INT, "user", RO, "Автор последней активности" },
  { "PHONE", B24_FIELD_MULTI, "crm_multifield", 0, "Телефон" },
  { "EMAIL", B24_FIELD_MULTI, "crm_multifield", 0, "E-mail" },
  { "WEB", B24_FIELD_MULTI, "crm_multifield", 0, "Сайт" },
  { "IM", B24_FIELD_MULTI, "crm_multifield", 0, "Мессенджер" },
  { "LINK", B24_FIELD_MULTI, "crm_multifield", 0, "Ссылка" },
  { NULL },
};

/* "P" in progress, "S" converted, "F" junk — from the STATUS directory. */
static char *
status_semantics (B24Emu     *emu,
                  const char *status)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, "SELECT COALESCE(SEMANTICS, 'P') FROM status WHERE ENTITY_ID = 'STATUS'"
                                            " AND STATUS_ID = ?");
  char *semantics = NULL;

  sqlite3_bind_text (stmt, 1, status, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    semantics = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return semantics;
}

static gboolean
lead_prepare (B24Call    *call,
              gint64      id,
              GHashTable *values,
              B24Reply   *reply)
{
  JsonNode *status = g_hash_table_lookup (values, "STATUS_ID");
  g_autofree char *semantics = NULL;

  if (id == 0)
    {
      b24_values_default (values, "OPENED", b24_node_string ("Y"));
      b24_values_default (values, "CURRENCY_ID", b24_node_string ("RUB"));
      b24_values_default (values, "OPPORTUNITY", json_node_init_double (json_node_alloc (), 0));
      b24_values_default (values, "IS_MANUAL_OPPORTUNITY", b24_node_string ("N"));
      b24_values_default (values, "IS_RETURN_CUSTOMER", b24_node_string ("N"));
      b24_values_default (values, "ASSIGNED_BY_ID", json_node_init_int (json_node_alloc (), call->user_id));
      b24_values_default (values, "STATUS_ID", b24_node_string ("NEW"));
      status = g_hash_table_lookup (values, "STATUS_ID");
    }
  if (status == NULL || JSON_NODE_HOLDS_NULL (status))
    return TRUE;
  semantics = status_semantics (call->emu, json_node_get_string (status));
  if (semantics == NULL)
    {
      /* An unknown status is ignored on update and replaced by NEW on add. */
      if (id != 0)
        {
          g_hash_table_remove (values, "STATUS_ID");
          return TRUE;
        }
      g_hash_table_replace (values, "STATUS_ID", b24_node_string ("NEW"));
      semantics = g_strdup ("P");
    }
  g_hash_table_replace (values, "STATUS_SEMANTIC_ID", b24_node_string (semantics));
  if (strcmp (semantics, "P") != 0)
    g_hash_table_replace (values, "DATE_CLOSED", json_node_init_int (json_node_alloc (),
                                                                     json_node_get_int (g_hash_table_lookup (values, "DATE_MODIFY"))));
  return TRUE;
}

const B24Entity b24_entity_lead = {
  .table = "lead",
  .fields = lead_fields,
  .uf_entity = "CRM_LEAD",
  .mf_entity = "LEAD",
  .event_prefix = "ONCRMLEAD",
  .untitled = "Lead #",
  .comment_type = "lead",
  .prepare = lead_prepare,
};

static const B24Method lead_methods[] = {
  { "crm.lead.list", "crm", b24_crm_list, 0, &b24_entity_lead },
  { "crm.lead.get", "crm", b24_crm_get, 0, &b24_entity_lead },
  { "crm.lead.add", "crm", b24_crm_add, 0, &b24_entity_lead },
  { "crm.lead.update", "crm", b24_crm_update, 0, &b24_entity_lead },
  { "crm.lead.delete", "crm", b24_crm_delete, 0, &b24_entity_lead },
  { "crm.lead.fields", "crm", b24_crm_fields, 0, &b24_entity_lead },
};

void
b24_crm_lead_register (B24Emu *emu)
{
  b24_emu_add_methods (emu, lead_methods, G_N_ELEMENTS (lead_methods));
}
