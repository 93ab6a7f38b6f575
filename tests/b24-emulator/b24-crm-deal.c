/* b24-crm-deal.c: crm.deal.* — fields, defaults on add, stage semantics.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-entity.h"
#include "b24-db.h"
#include "b24-envelope.h"
#include "b24-time.h"

#include <string.h>

#define RO B24_FIELD_READONLY

static const B24Field deal_fields[] = {
  { "ID", B24_FIELD_ID, "integer", RO, "ID" },
  { "TITLE", B24_FIELD_STRING, "string", 0, "Название" },
  { "TYPE_ID", B24_FIELD_STRING, "crm_status", 0, "Тип", "DEAL_TYPE" },
  { "STAGE_ID", B24_FIELD_STRING, "crm_status", 0, "Стадия сделки", "DEAL_STAGE" },
  { "PROBABILITY", B24_FIELD_INT, "integer", 0, "Вероятность" },
  { "CURRENCY_ID", B24_FIELD_STRING, "crm_currency", 0, "Валюта" },
  { "OPPORTUNITY", B24_FIELD_MONEY, "double", 0, "Сумма" },
  { "IS_MANUAL_OPPORTUNITY", B24_FIELD_CHAR, "char", 0, "Сумма заполнена вручную" },
  { "TAX_VALUE", B24_FIELD_MONEY, "double", 0, "Ставка налога" },
  { "LEAD_ID", B24_FIELD_INT, "crm_lead", RO, "Лид" },
  { "COMPANY_ID", B24_FIELD_INT, "crm_company", 0, "Компания" },
  { "CONTACT_ID", B24_FIELD_INT, "crm_contact", 0, "Контакт" },
  { "QUOTE_ID", B24_FIELD_INT, "crm_quote", RO, "Предложение" },
  { "BEGINDATE", B24_FIELD_DATE, "date", 0, "Дата начала" },
  { "CLOSEDATE", B24_FIELD_DATE, "date", 0, "Предполагаемая дата закрытия" },
  { "ASSIGNED_BY_ID", B24_FIELD_INT, "user", 0, "Ответственный" },
  { "CREATED_BY_ID", B24_FIELD_INT, "user", RO, "Кем создана" },
  { "MODIFY_BY_ID", B24_FIELD_INT, "user", RO, "Кем изменена" },
  { "DATE_CREATE", B24_FIELD_DATETIME, "datetime", RO, "Дата создания" },
  { "DATE_MODIFY", B24_FIELD_DATETIME, "datetime", RO, "Дата изменения" },
  { "OPENED", B24_FIELD_CHAR, "char", 0, "Доступна для всех" },
  { "CLOSED", B24_FIELD_CHAR, "char", 0, "Закрыта" },
  { "COMMENTS", B24_FIELD_STRING, "string", 0, "Комментарий" },
  { "ADDITIONAL_INFO", B24_FIELD_STRING, "string", 0, "Дополнительная информация" },
  { "LOCATION_ID", B24_FIELD_STRING, "location", 0, "Местоположение" },
  { "CATEGORY_ID", B24_FIELD_INT, "crm_category", B24_FIELD_IMMUTABLE, "Воронка" },
  { "STAGE_SEMANTIC_ID", B24_FIELD_STRING, "string", RO, "Группа стадии" },
  { "IS_NEW", B24_FIELD_CHAR, "char", RO, "Новая сделка" },
  { "IS_RECURRING", B24_FIELD_CHAR, "char", 0, "Регулярная сделка" },
  { "IS_RETURN_CUSTOMER", B24_FIELD_CHAR, "char", RO, "Повторная сделка" },
  { "IS_REPEATED_APPROACH", B24_FIELD_CHAR, "char", RO, "Повторное обращение" },
  { "SOURCE_ID", B24_FIELD_STRING, "crm_status", 0, "Источник", "SOURCE" },
  { "SOURCE_DESCRIPTION", B24_FIELD_STRING, "string", 0, "Дополнительно об источнике" },
  { "ORIGINATOR_ID", B24_FIELD_STRING, "string", 0, "Внешний источник" },
  { "ORIGIN_ID", B24_FIELD_STRING, "string", 0, "Идентификатор во внешнем источнике" },
  { "MOVED_BY_ID", B24_FIELD_INT, "user", RO, "Автор смены стадии" },
  { "MOVED_TIME", B24_FIELD_DATETIME, "datetime", RO, "Дата изменения стадии" },
  { "LAST_ACTIVITY_TIME", B24_FIELD_DATETIME, "datetime", RO, "Последняя активность" },
  { "UTM_SOURCE", B24_FIELD_STRING, "string", 0, "Рекламная система" },
  { "UTM_MEDIUM", B24_FIELD_STRING, "string", 0, "Тип трафика" },
  { "UTM_CAMPAIGN", B24_FIELD_STRING, "string", 0, "Обозначение рекламной кампании" },
  { "UTM_CONTENT", B24_FIELD_STRING, "string", 0, "Содержание кампании" },
  { "UTM_TERM", B24_FIELD_STRING, "string", 0, "Условие поиска кампании" },
  { "LAST_ACTIVITY_BY", B24_FIELD_INT, "user", RO, "Автор последней активности" },
  { NULL },
};

static JsonNode *
int_node (gint64 value)
{
  return json_node_init_int (json_node_alloc (), value);
}

static gint64
lookup_int (GHashTable *values,
            const char *column,
            gint64      fallback)
{
  JsonNode *node = g_hash_table_lookup (values, column);

  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? json_node_get_int (node) : fallback;
}

static gboolean
stage_semantics (B24Emu     *emu,
                 gint64      category,
                 const char *stage,
                 char      **semantics)
{
  g_autofree char *entity = category == 0 ? g_strdup ("DEAL_STAGE")
                                          : g_strdup_printf ("DEAL_STAGE_%" G_GINT64_FORMAT, category);
  sqlite3_stmt *stmt = b24_db_prepare (emu, "SELECT SEMANTICS FROM status WHERE ENTITY_ID = ?"
                                            " AND STATUS_ID = ?");
  gboolean found;

  sqlite3_bind_text (stmt, 1, entity, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, stage, -1, SQLITE_TRANSIENT);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  if (found)
    *semantics = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return found;
}

static char *
first_stage (B24Emu *emu,
             gint64  category)
{
  g_autofree char *entity = category == 0 ? g_strdup ("DEAL_STAGE")
                                          : g_strdup_printf ("DEAL_STAGE_%" G_GINT64_FORMAT, category);
  sqlite3_stmt *stmt = b24_db_prepare (emu, "SELECT STATUS_ID FROM status WHERE ENTITY_ID = ?"
                                            " ORDER BY SORT LIMIT 1");
  char *stage = NULL;

  sqlite3_bind_text (stmt, 1, entity, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    stage = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return stage;
}

static gboolean
deal_prepare (B24Call    *call,
              gint64      id,
              GHashTable *values,
              B24Reply   *reply)
{
  B24Emu *emu = call->emu;
  gint64 now = (gint64) b24_time_now ();
  gint64 category;
  JsonNode *stage_node = g_hash_table_lookup (values, "STAGE_ID");
  g_autofree char *semantics = NULL;
  const char *stage;

  if (id == 0)
    {
      gint64 today = b24_time_day_start (emu, now);

      category = lookup_int (values, "CATEGORY_ID", 0);
      if (b24_db_query_int (emu, "SELECT COUNT(*) FROM category WHERE ENTITY_TYPE_ID = 2 AND ID = ?",
                            category) == 0)
        category = 0;
      g_hash_table_replace (values, "CATEGORY_ID", int_node (category));
      b24_values_default (values, "OPENED", b24_node_string ("Y"));
      b24_values_default (values, "TYPE_ID", b24_node_string ("SALE"));
      b24_values_default (values, "CURRENCY_ID", b24_node_string ("RUB"));
      b24_values_default (values, "OPPORTUNITY", json_node_init_double (json_node_alloc (), 0));
      b24_values_default (values, "TAX_VALUE", json_node_init_double (json_node_alloc (), 0));
      b24_values_default (values, "IS_MANUAL_OPPORTUNITY", b24_node_string ("N"));
      b24_values_default (values, "IS_RECURRING", b24_node_string ("N"));
      b24_values_default (values, "BEGINDATE", int_node (today));
      b24_values_default (values, "CLOSEDATE", int_node (today + 7 * 86400));
      b24_values_default (values, "ASSIGNED_BY_ID", int_node (call->user_id));
      b24_values_default (values, "COMMENTS", b24_node_string (""));
      g_hash_table_replace (values, "IS_NEW", b24_node_string ("Y"));
      g_hash_table_replace (values, "IS_RETURN_CUSTOMER", b24_node_string ("N"));
      g_hash_table_replace (values, "IS_REPEATED_APPROACH", b24_node_string ("N"));
    }
  else
    {
      if (stage_node == NULL)
        return TRUE;
      category = b24_db_query_int (emu, "SELECT CATEGORY_ID FROM deal WHERE ID = ?", id);
    }

  stage = stage_node != NULL && !JSON_NODE_HOLDS_NULL (stage_node) ? json_node_get_string (stage_node) : NULL;
  if (stage == NULL || !stage_semantics (emu, category, stage, &semantics))
    {
      g_autofree char *first = NULL;

      /* A stage outside the deal's pipeline is ignored on update and replaced on add. */
      if (id != 0)
        {
          g_hash_table_remove (values, "STAGE_ID");
          return TRUE;
        }
      first = first_stage (emu, category);
      stage_semantics (emu, category, first, &semantics);
      g_hash_table_replace (values, "STAGE_ID", b24_node_string (first));
    }
  else if (id != 0)
    {
      sqlite3_stmt *stmt = b24_db_prepare (emu, "SELECT STAGE_ID = ? FROM deal WHERE ID = ?");
      gboolean same;

      sqlite3_bind_text (stmt, 1, stage, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, id);
      same = sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) == 1;
      sqlite3_reset (stmt);
      if (same)
        return TRUE;
    }
  /* CLOSED is "Y" exactly in the success and failure stages. */
  g_hash_table_replace (values, "STAGE_SEMANTIC_ID", b24_node_string (semantics != NULL ? semantics : "P"));
  g_hash_table_replace (values, "CLOSED", b24_node_string (semantics != NULL ? "Y" : "N"));
  g_hash_table_replace (values, "MOVED_TIME", int_node (now));
  g_hash_table_replace (values, "MOVED_BY_ID", int_node (call->user_id));
  return TRUE;
}

const B24Entity b24_entity_deal = {
  .table = "deal",
  .fields = deal_fields,
  .uf_entity = "CRM_DEAL",
  .event_prefix = "ONCRMDEAL",
  .untitled = "Deal #",
  .comment_type = "deal",
  .prepare = deal_prepare,
};

static const B24Method deal_methods[] = {
  { "crm.deal.list", "crm", b24_crm_list, 0, &b24_entity_deal },
  { "crm.deal.get", "crm", b24_crm_get, 0, &b24_entity_deal },
  { "crm.deal.add", "crm", b24_crm_add, 0, &b24_entity_deal },
  { "crm.deal.update", "crm", b24_crm_update, 0, &b24_entity_deal },
  { "crm.deal.delete", "crm", b24_crm_delete, 0, &b24_entity_deal },
  { "crm.deal.fields", "crm", b24_crm_fields, 0, &b24_entity_deal },
};

void
b24_crm_deal_register (B24Emu *emu)
{
  b24_emu_add_methods (emu, deal_methods, G_N_ELEMENTS (deal_methods));
}
