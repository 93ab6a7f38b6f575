/* b24-db.c: the emulator's SQLite store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-db.h"
#include "b24-entity.h"

#include <string.h>

/* Tables that no entity descriptor covers. */
static const char schema_sql[] =
  "CREATE TABLE multifield (ID INTEGER PRIMARY KEY AUTOINCREMENT, ENTITY_ID TEXT NOT NULL,"
  " ELEMENT_ID INTEGER NOT NULL, TYPE_ID TEXT NOT NULL, VALUE_TYPE TEXT, VALUE TEXT);"
  "CREATE INDEX multifield_owner ON multifield (ENTITY_ID, ELEMENT_ID);"
  "CREATE TABLE category (ID INTEGER PRIMARY KEY, ENTITY_TYPE_ID INTEGER NOT NULL, NAME TEXT,"
  " SORT INTEGER, IS_DEFAULT TEXT);"
  "CREATE TABLE status (ID INTEGER PRIMARY KEY AUTOINCREMENT, ENTITY_ID TEXT NOT NULL,"
  " STATUS_ID TEXT NOT NULL, NAME TEXT, NAME_INIT TEXT, SORT INTEGER, SYSTEM TEXT,"
  " CATEGORY_ID INTEGER, COLOR TEXT, SEMANTICS TEXT, EXTRA_SEMANTICS TEXT);"
  "CREATE TABLE userfield (ID INTEGER PRIMARY KEY AUTOINCREMENT, ENTITY_ID TEXT NOT NULL,"
  " FIELD_NAME TEXT NOT NULL, USER_TYPE_ID TEXT NOT NULL, XML_ID TEXT, SORT INTEGER,"
  " MULTIPLE TEXT, MANDATORY TEXT, SHOW_FILTER TEXT, SETTINGS TEXT, LABEL TEXT,"
  " UNIQUE (ENTITY_ID, FIELD_NAME));"
  "CREATE TABLE userfield_enum (ID INTEGER PRIMARY KEY AUTOINCREMENT, USER_FIELD_ID INTEGER,"
  " VALUE TEXT, SORT INTEGER, DEF TEXT, XML_ID TEXT);"
  "CREATE TABLE file (ID INTEGER PRIMARY KEY AUTOINCREMENT, NAME TEXT, CONTENT BLOB);"
  "CREATE TABLE event_binding (ID INTEGER PRIMARY KEY AUTOINCREMENT, EVENT TEXT NOT NULL,"
  " HANDLER TEXT, AUTH_TYPE INTEGER, OFFLINE INTEGER, AUTH_CONNECTOR TEXT);"
  "CREATE TABLE offline_event (ID INTEGER PRIMARY KEY AUTOINCREMENT, TIMESTAMP_X INTEGER,"
  " EVENT_NAME TEXT, OBJECT_ID INTEGER, EVENT_DATA TEXT, EVENT_ADDITIONAL TEXT,"
  " MESSAGE_ID TEXT, PROCESS_ID TEXT, ERROR INTEGER DEFAULT 0, BINDING_ID INTEGER);"
  "CREATE TABLE task_dependence (TASK_ID_FROM INTEGER, TASK_ID_TO INTEGER, LINK_TYPE INTEGER,"
  " PRIMARY KEY (TASK_ID_FROM, TASK_ID_TO));"
  "CREATE TABLE disk_object (ID INTEGER PRIMARY KEY AUTOINCREMENT, TYPE TEXT, NAME TEXT,"
  " PARENT_ID INTEGER, STORAGE_ID INTEGER, FILE_ID INTEGER, SIZE INTEGER, CREATED_BY INTEGER,"
  " CREATE_TIME INTEGER, UPDATE_TIME INTEGER, TOKEN TEXT);"
  "CREATE TABLE disk_storage (ID INTEGER PRIMARY KEY AUTOINCREMENT, NAME TEXT, ENTITY_TYPE TEXT,"
  " ENTITY_ID TEXT, ROOT_OBJECT_ID INTEGER);"
  "CREATE TABLE im_chat (ID INTEGER PRIMARY KEY AUTOINCREMENT, TYPE TEXT, TITLE TEXT,"
  " ENTITY_TYPE TEXT, ENTITY_ID TEXT, OWNER INTEGER);"
  "CREATE TABLE im_chat_user (CHAT_ID INTEGER, USER_ID INTEGER, PRIMARY KEY (CHAT_ID, USER_ID));"
  "CREATE TABLE im_message (ID INTEGER PRIMARY KEY AUTOINCREMENT, CHAT_ID INTEGER,"
  " AUTHOR_ID INTEGER, DATE INTEGER, TEXT TEXT);"
  "CREATE TABLE im_notify (ID INTEGER PRIMARY KEY AUTOINCREMENT, USER_ID INTEGER,"
  " AUTHOR_ID INTEGER, TYPE TEXT, MESSAGE TEXT, TAG TEXT, DATE INTEGER);";

/* Tables added after the first release; an older file gets them on open. */
static const char schema_v2_sql[] =
  "CREATE TABLE IF NOT EXISTS disk_upload (TOKEN TEXT PRIMARY KEY, FOLDER_ID INTEGER, NAME TEXT,"
  " UNIQUE_NAME INTEGER, USER_ID INTEGER, CREATED INTEGER);"
  "CREATE TABLE IF NOT EXISTS document_signature (ID INTEGER PRIMARY KEY AUTOINCREMENT,"
  " DEAL_ID INTEGER, FILE_ID INTEGER, STATE TEXT, SIGNER TEXT, SIGNED_AT INTEGER, REMARKS TEXT,"
  " FILE_SHA256 TEXT, COMMENT_ID INTEGER);"
  "INSERT OR IGNORE INTO status (ID, ENTITY_ID, STATUS_ID, NAME, NAME_INIT, SORT, SYSTEM, CATEGORY_ID,"
  " COLOR, SEMANTICS, EXTRA_SEMANTICS) VALUES"
  " (701, 'STATUS', 'NEW', 'Не обработан', 'Не обработан', 10, 'Y', NULL, '#39A8EF', NULL, 'process'),"
  " (703, 'STATUS', 'IN_PROCESS', 'В работе', 'В работе', 20, 'N', NULL, '#2FC6F6', NULL, 'process'),"
  " (705, 'STATUS', 'PROCESSED', 'Обработан', 'Обработан', 30, 'N', NULL, '#55D0E0', NULL, 'process'),"
  " (707, 'STATUS', 'CONVERTED', 'Качественный лид', 'Качественный лид', 40, 'Y', NULL, '#7BD500', 'S', 'success'),"
  " (709, 'STATUS', 'JUNK', 'Некачественный лид', 'Некачественный лид', 50, 'Y', NULL, '#FF5752', 'F', 'failure');";

/* The portal every emulator starts with: people, structure, pipelines and directories. */
static const char base_data_sql[] =
  "INSERT INTO department (ID, NAME, SORT, PARENT, UF_HEAD) VALUES"
  " (1, 'ООО «Сделка»', 500, NULL, 1), (2, 'Отдел продаж', 500, 1, 2),"
  " (3, 'Производство', 500, 1, 4);"
  "INSERT INTO user (ID, ACTIVE, NAME, LAST_NAME, SECOND_NAME, EMAIL, WORK_POSITION,"
  " UF_DEPARTMENT, IS_ADMIN, USER_TYPE, DATE_REGISTER) VALUES"
  " (1, 1, 'Иван', 'Петров', 'Сергеевич', 'petrov@sdelka.test', 'Директор', '[1]', 'Y', 'employee', 1672520400),"
  " (2, 1, 'Мария', 'Смирнова', 'Андреевна', 'smirnova@sdelka.test', 'Руководитель продаж', '[2]', 'N', 'employee', 1672520400),"
  " (3, 1, 'Алексей', 'Кузнецов', 'Павлович', 'kuznetsov@sdelka.test', 'Менеджер', '[2]', 'N', 'employee', 1672520400),"
  " (4, 1, 'Ольга', 'Васильева', 'Игоревна', 'vasilieva@sdelka.test', 'Начальник производства', '[3]', 'N', 'employee', 1672520400),"
  " (5, 1, 'Дмитрий', 'Попов', 'Олегович', 'popov@sdelka.test', 'Мастер', '[3]', 'N', 'employee', 1672520400),"
  " (6, 0, 'Сергей', 'Соколов', NULL, 'sokolov@sdelka.test', 'Менеджер', '[2]', 'N', 'employee', 1672520400);"
  "UPDATE user SET LAST_LOGIN = 1704780000, IS_ONLINE = 'N', TIMESTAMP_X = '01.01.2023 00:00:00',"
  " LAST_ACTIVITY_DATE = '2024-01-09 09:00:00', PERSONAL_BIRTHDAY = '', UF_EMPLOYMENT_DATE = '',"
  " PERSONAL_GENDER = CASE WHEN ID IN (2, 4) THEN 'F' ELSE 'M' END;"
  "INSERT INTO category (ID, ENTITY_TYPE_ID, NAME, SORT, IS_DEFAULT) VALUES"
  " (0, 2, 'Общая', 300, 'Y'), (1, 2, 'Ремонт', 200, 'N');"
  "INSERT INTO status (ID, ENTITY_ID, STATUS_ID, NAME, NAME_INIT, SORT, SYSTEM, CATEGORY_ID,"
  " COLOR, SEMANTICS, EXTRA_SEMANTICS) VALUES"
  " (101, 'DEAL_STAGE', 'NEW', 'Новая', 'Новая', 10, 'Y', NULL, '#39A8EF', NULL, 'process'),"
  " (103, 'DEAL_STAGE', 'PREPARATION', 'Подготовка документов', '', 20, 'N', NULL, '#2FC6F6', NULL, 'process'),"
  " (105, 'DEAL_STAGE', 'PREPAYMENT_INVOICE', 'Счёт на предоплату', '', 30, 'N', NULL, '#55D0E0', NULL, 'process'),"
  " (107, 'DEAL_STAGE', 'EXECUTING', 'В работе', '', 40, 'N', NULL, '#47E4C2', NULL, 'process'),"
  " (109, 'DEAL_STAGE', 'FINAL_INVOICE', 'Финальный счёт', '', 50, 'N', NULL, '#FFA900', NULL, 'process'),"
  " (111, 'DEAL_STAGE', 'WON', 'Сделка успешна', 'Сделка успешна', 60, 'Y', NULL, '#7BD500', 'S', 'success'),"
  " (113, 'DEAL_STAGE', 'LOSE', 'Сделка провалена', 'Сделка провалена', 70, 'Y', NULL, '#FF5752', 'F', 'failure'),"
  " (115, 'DEAL_STAGE', 'APOLOGY', 'Анализ причины провала', '', 80, 'N', NULL, '#FF5752', 'F', 'apology'),"
  " (201, 'DEAL_STAGE_1', 'C1:NEW', 'Заявка', 'Заявка', 10, 'Y', 1, '#39A8EF', NULL, 'process'),"
  " (203, 'DEAL_STAGE_1', 'C1:PREPARATION', 'Осмотр и смета', '', 20, 'N', 1, '#2FC6F6', NULL, 'process'),"
  " (205, 'DEAL_STAGE_1', 'C1:EXECUTING', 'Ремонт', '', 30, 'N', 1, '#47E4C2', NULL, 'process'),"
  " (207, 'DEAL_STAGE_1', 'C1:WON', 'Выдано клиенту', 'Сделка успешна', 40, 'Y', 1, '#7BD500', 'S', 'success'),"
  " (209, 'DEAL_STAGE_1', 'C1:LOSE', 'Отказ', 'Сделка провалена', 50, 'Y', 1, '#FF5752', 'F', 'failure'),"
  " (301, 'DEAL_TYPE', 'SALE', 'Продажа', 'Продажа', 10, 'Y', NULL, NULL, NULL, NULL),"
  " (303, 'DEAL_TYPE', 'COMPLEX', 'Комплексная продажа', 'Комплексная продажа', 20, 'Y', NULL, NULL, NULL, NULL),"
  " (305, 'DEAL_TYPE', 'SERVICE', 'Сервисное обслуживание', 'Сервисное обслуживание', 30, 'Y', NULL, NULL, NULL, NULL),"
  " (401, 'SOURCE', 'CALL', 'Звонок', 'Звонок', 10, 'Y', NULL, NULL, NULL, NULL),"
  " (403, 'SOURCE', 'EMAIL', 'Электронная почта', 'Электронная почта', 20, 'Y', NULL, NULL, NULL, NULL),"
  " (405, 'SOURCE', 'WEB', 'Веб-сайт', 'Веб-сайт', 30, 'Y', NULL, NULL, NULL, NULL),"
  " (407, 'SOURCE', 'WEBFORM', 'CRM-форма', 'CRM-форма', 40, 'Y', NULL, NULL, NULL, NULL),"
  " (409, 'SOURCE', 'CALLBACK', 'Обратный звонок', 'Обратный звонок', 50, 'Y', NULL, NULL, NULL, NULL),"
  " (411, 'SOURCE', 'OTHER', 'Другое', 'Другое', 60, 'Y', NULL, NULL, NULL, NULL),"
  " (501, 'CONTACT_TYPE', 'CLIENT', 'Клиенты', 'Клиенты', 10, 'Y', NULL, NULL, NULL, NULL),"
  " (503, 'CONTACT_TYPE', 'SUPPLIER', 'Поставщики', 'Поставщики', 20, 'Y', NULL, NULL, NULL, NULL),"
  " (601, 'COMPANY_TYPE', 'CUSTOMER', 'Клиент', 'Клиент', 10, 'Y', NULL, NULL, NULL, NULL),"
  " (603, 'COMPANY_TYPE', 'SUPPLIER', 'Поставщик', 'Поставщик', 20, 'Y', NULL, NULL, NULL, NULL),"
  " (605, 'COMPANY_TYPE', 'PARTNER', 'Партнёр', 'Партнёр', 30, 'Y', NULL, NULL, NULL, NULL);"
  "INSERT INTO disk_storage (ID, NAME, ENTITY_TYPE, ENTITY_ID, ROOT_OBJECT_ID) VALUES"
  " (1, 'Общий диск', 'common', 'shared_files_s1', 1);"
  "INSERT INTO disk_object (ID, TYPE, NAME, PARENT_ID, STORAGE_ID, CREATED_BY, CREATE_TIME,"
  " UPDATE_TIME) VALUES (1, 'folder', 'Общий диск', NULL, 1, 1, 1672520400, 1672520400);";

static void
finalize_stmt (gpointer data)
{
  sqlite3_finalize (data);
}

void
b24_db_exec (B24Emu     *emu,
             const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (emu->db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_critical ("SQL failed: %s: %.200s", message, sql);
      sqlite3_free (message);
    }
}

gboolean
b24_db_open (B24Emu  *emu,
             GError **error)
{
  const char *path = emu->config.db_path != NULL ? emu->config.db_path : ":memory:";
  gint64 version;

  if (sqlite3_open (path, &emu->db) != SQLITE_OK)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot open %s: %s", path,
                   sqlite3_errmsg (emu->db));
      return FALSE;
    }
  emu->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_stmt);
  b24_db_exec (emu, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  version = b24_db_query_int (emu, "PRAGMA user_version", 0);
  if (version == 0)
    {
      GString *sql = g_string_new ("BEGIN;");

      g_string_append (sql, schema_sql);
      for (const B24Entity *const *e = b24_entity_all (); *e != NULL; e++)
        {
          g_autofree char *create = b24_entity_create_sql (*e);

          g_string_append (sql, create);
        }
      g_string_append (sql, base_data_sql);
      g_string_append (sql, schema_v2_sql);
      g_string_append (sql, "PRAGMA user_version=2; COMMIT;");
      b24_db_exec (emu, sql->str);
      g_string_free (sql, TRUE);
    }
  else if (version == 1)
    {
      GString *sql = g_string_new ("BEGIN;");
      g_autofree char *task = b24_entity_create_sql (&b24_entity_task);
      g_autofree char *lead = b24_entity_create_sql (&b24_entity_lead);

      g_string_append (sql, task);
      g_string_append (sql, lead);
      g_string_append (sql, schema_v2_sql);
      g_string_append (sql, "PRAGMA user_version=2; COMMIT;");
      b24_db_exec (emu, sql->str);
      g_string_free (sql, TRUE);
    }
  return TRUE;
}

void
b24_db_close (B24Emu *emu)
{
  g_clear_pointer (&emu->stmts, g_hash_table_unref);
  g_clear_pointer (&emu->db, sqlite3_close);
}

sqlite3_stmt *
b24_db_prepare (B24Emu     *emu,
                const char *sql)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (emu->stmts, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  if (sqlite3_prepare_v3 (emu->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    g_error ("cannot prepare %s: %s", sql, sqlite3_errmsg (emu->db));
  g_hash_table_insert (emu->stmts, g_strdup (sql), stmt);
  return stmt;
}

void
b24_db_bind_node (sqlite3_stmt *stmt,
                  int           index,
                  JsonNode     *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      sqlite3_bind_null (stmt, index);
      return;
    }
  if (!JSON_NODE_HOLDS_VALUE (node))
    {
      g_autofree char *text = json_to_string (node, FALSE);

      sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
      return;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      sqlite3_bind_int64 (stmt, index, json_node_get_int (node));
      break;
    case G_TYPE_DOUBLE:
      sqlite3_bind_double (stmt, index, json_node_get_double (node));
      break;
    case G_TYPE_BOOLEAN:
      sqlite3_bind_int (stmt, index, json_node_get_boolean (node));
      break;
    default:
      sqlite3_bind_text (stmt, index, json_node_get_string (node), -1, SQLITE_TRANSIENT);
      break;
    }
}

gint64
b24_db_query_int (B24Emu     *emu,
                  const char *sql,
                  gint64      arg)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, sql);
  gint64 value = 0;

  if (sqlite3_bind_parameter_count (stmt) > 0)
    sqlite3_bind_int64 (stmt, 1, arg);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return value;
}
