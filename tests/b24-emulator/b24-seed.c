/* b24-seed.c: deterministic demo data (Russian names, companies, deals).
 *
 * The same seed gives the same rows, dates included, so dumps can be compared across runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-control.h"
#include "b24-db.h"
#include "b24-time.h"

/* 2024-01-09 09:00 +03:00: seeded history starts here, independent of the clock. */
#define SEED_EPOCH 1704780000

static const char *const first_names[] = {
  "Александр", "Михаил", "Андрей", "Никита", "Павел", "Егор", "Роман", "Артём",
  "Анна", "Елена", "Татьяна", "Наталья", "Светлана", "Юлия", "Ксения", "Дарья",
};
static const char *const last_names[] = {
  "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
  "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
};
static const char *const company_words[] = {
  "Вектор", "Альфа", "Северный ветер", "Техностиль", "Гранит", "Уралсервис", "Кедр", "Прогресс",
  "Волга-Авто", "Сибирские окна", "Меридиан", "Спектр", "Оптима", "Континент",
};
static const char *const deal_words[] = {
  "Кузовной ремонт", "Замена стёкол", "Покраска бампера", "Установка окон", "Ремонт кровли",
  "Монтаж кондиционера", "Поставка плитки", "Ремонт квартиры", "Диагностика двигателя",
  "Шиномонтаж", "Изготовление мебели", "Остекление балкона",
};
static const char *const stages0[] = {
  "NEW", "PREPARATION", "PREPAYMENT_INVOICE", "EXECUTING", "FINAL_INVOICE", "WON", "LOSE", "APOLOGY",
};
static const char *const semantics0[] = { "P", "P", "P", "P", "P", "S", "F", "F" };
static const char *const stages1[] = { "C1:NEW", "C1:PREPARATION", "C1:EXECUTING", "C1:WON", "C1:LOSE" };
static const char *const semantics1[] = { "P", "P", "P", "S", "F" };
static const char *const sources[] = { "CALL", "EMAIL", "WEB", "WEBFORM", "CALLBACK", "OTHER" };

#define PICK(rand, array) (array[g_rand_int_range (rand, 0, G_N_ELEMENTS (array))])

static gint64
max_id (B24Emu     *emu,
        const char *sql)
{
  return b24_db_query_int (emu, sql, 0);
}

static void
add_multifield (B24Emu     *emu,
                const char *owner,
                gint64      id,
                const char *type,
                const char *value_type,
                const char *value)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, "INSERT INTO multifield (ENTITY_ID, ELEMENT_ID, TYPE_ID,"
                                            " VALUE_TYPE, VALUE) VALUES (?, ?, ?, ?, ?)");

  sqlite3_bind_text (stmt, 1, owner, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, id);
  sqlite3_bind_text (stmt, 3, type, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, value_type, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, value, -1, SQLITE_TRANSIENT);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
}

static char *
phone (GRand *rand)
{
  return g_strdup_printf ("+7 9%02d %03d-%02d-%02d", g_rand_int_range (rand, 0, 100),
                          g_rand_int_range (rand, 0, 1000), g_rand_int_range (rand, 0, 100),
                          g_rand_int_range (rand, 0, 100));
}

static void
seed_companies (B24Emu *emu,
                GRand  *rand,
                guint   n)
{
  sqlite3_stmt *stmt;

  for (guint i = 0; i < n; i++)
    {
      gint64 created = SEED_EPOCH + i * 3600;
      g_autofree char *title = g_strdup_printf ("ООО «%s-%u»", PICK (rand, company_words), i + 1);
      g_autofree char *tel = phone (rand);
      gint64 id;

      stmt = b24_db_prepare (emu, "INSERT INTO company (TITLE, COMPANY_TYPE, HAS_PHONE, HAS_EMAIL, HAS_IMOL,"
                                  " ASSIGNED_BY_ID, CREATED_BY_ID, MODIFY_BY_ID, CURRENCY_ID, DATE_CREATE,"
                                  " DATE_MODIFY, OPENED, IS_MY_COMPANY, ADDRESS_CITY, COMMENTS)"
                                  " VALUES (?, 'CUSTOMER', 'Y', 'N', 'N', ?, 1, 1, 'RUB', ?, ?, 'Y', 'N', ?, '')");
      sqlite3_bind_text (stmt, 1, title, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 2, g_rand_int_range (rand, 1, 6));
      sqlite3_bind_int64 (stmt, 3, created);
      sqlite3_bind_int64 (stmt, 4, created + g_rand_int_range (rand, 0, 86400));
      sqlite3_bind_text (stmt, 5, g_rand_boolean (rand) ? "Екатеринбург" : "Москва", -1, SQLITE_STATIC);
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
      id = sqlite3_last_insert_rowid (emu->db);
      add_multifield (emu, "COMPANY", id, "PHONE", "WORK", tel);
    }
}

static void
seed_contacts (B24Emu *emu,
               GRand  *rand,
               guint   n)
{
  gint64 companies = max_id (emu, "SELECT COALESCE(MAX(ID), 0) FROM company");
  sqlite3_stmt *stmt;

  for (guint i = 0; i < n; i++)
    {
      gint64 created = SEED_EPOCH + i * 1800;
      gboolean female = g_rand_boolean (rand);
      const char *first = first_names[g_rand_int_range (rand, 0, 8) + (female ? 8 : 0)];
      g_autofree char *last = g_strconcat (PICK (rand, last_names), female ? "а" : "", NULL);
      g_autofree char *tel = phone (rand);
      g_autofree char *mail = g_strdup_printf ("client%u@example.ru", i + 1);
      gint64 id;

      stmt = b24_db_prepare (emu, "INSERT INTO contact (NAME, LAST_NAME, TYPE_ID, SOURCE_ID, COMPANY_ID, EXPORT,"
                                  " HAS_PHONE, HAS_EMAIL, HAS_IMOL, ASSIGNED_BY_ID, CREATED_BY_ID, MODIFY_BY_ID,"
                                  " DATE_CREATE, DATE_MODIFY, OPENED, COMMENTS)"
                                  " VALUES (?, ?, 'CLIENT', ?, ?, 'Y', 'Y', 'Y', 'N', ?, 1, 1, ?, ?, 'Y', '')");
      sqlite3_bind_text (stmt, 1, first, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, last, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, PICK (rand, sources), -1, SQLITE_STATIC);
      if (companies > 0 && g_rand_boolean (rand))
        sqlite3_bind_int64 (stmt, 4, g_rand_int_range (rand, 1, companies + 1));
      sqlite3_bind_int (stmt, 5, g_rand_int_range (rand, 1, 6));
      sqlite3_bind_int64 (stmt, 6, created);
      sqlite3_bind_int64 (stmt, 7, created + g_rand_int_range (rand, 0, 86400));
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
      id = sqlite3_last_insert_rowid (emu->db);
      add_multifield (emu, "CONTACT", id, "PHONE", "MOBILE", tel);
      add_multifield (emu, "CONTACT", id, "EMAIL", "WORK", mail);
    }
}

static void
seed_deals (B24Emu *emu,
            GRand  *rand,
            guint   n)
{
  gint64 contacts = max_id (emu, "SELECT COALESCE(MAX(ID), 0) FROM contact");
  gint64 companies = max_id (emu, "SELECT COALESCE(MAX(ID), 0) FROM company");
  sqlite3_stmt *stmt;

  for (guint i = 0; i < n; i++)
    {
      gint64 created = SEED_EPOCH + i * 600;
      gint64 modified = created + g_rand_int_range (rand, 0, 30 * 86400);
      gboolean repair = g_rand_int_range (rand, 0, 4) == 0;
      guint stage = repair ? g_rand_int_range (rand, 0, G_N_ELEMENTS (stages1))
                           : g_rand_int_range (rand, 0, G_N_ELEMENTS (stages0));
      const char *semantic = repair ? semantics1[stage] : semantics0[stage];
      g_autofree char *title = g_strdup_printf ("%s №%u", PICK (rand, deal_words), i + 1);
      gint64 day = b24_time_day_start (emu, created);

      stmt = b24_db_prepare (emu, "INSERT INTO deal (TITLE, TYPE_ID, STAGE_ID, CATEGORY_ID, STAGE_SEMANTIC_ID, CLOSED,"
                                  " CURRENCY_ID, OPPORTUNITY, IS_MANUAL_OPPORTUNITY, TAX_VALUE, COMPANY_ID, CONTACT_ID,"
                                  " BEGINDATE, CLOSEDATE, ASSIGNED_BY_ID, CREATED_BY_ID, MODIFY_BY_ID, DATE_CREATE,"
                                  " DATE_MODIFY, OPENED, COMMENTS, SOURCE_ID, IS_NEW, IS_RECURRING, IS_RETURN_CUSTOMER,"
                                  " IS_REPEATED_APPROACH, MOVED_BY_ID, MOVED_TIME, LAST_ACTIVITY_TIME, LAST_ACTIVITY_BY)"
                                  " VALUES (?1, 'SALE', ?2, ?3, ?4, ?5, 'RUB', ?6, 'Y', 0, ?7, ?8, ?9, ?10, ?11, 1, ?11,"
                                  " ?12, ?13, 'Y', '', ?14, 'N', 'N', 'N', 'N', ?11, ?13, ?13, ?11)");
      sqlite3_bind_text (stmt, 1, title, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, repair ? stages1[stage] : stages0[stage], -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 3, repair ? 1 : 0);
      sqlite3_bind_text (stmt, 4, semantic, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, semantic[0] == 'P' ? "N" : "Y", -1, SQLITE_STATIC);
      sqlite3_bind_double (stmt, 6, g_rand_int_range (rand, 1, 5000) * 100.0);
      if (companies > 0 && g_rand_boolean (rand))
        sqlite3_bind_int64 (stmt, 7, g_rand_int_range (rand, 1, companies + 1));
      if (contacts > 0)
        sqlite3_bind_int64 (stmt, 8, g_rand_int_range (rand, 1, contacts + 1));
      sqlite3_bind_int64 (stmt, 9, day);
      sqlite3_bind_int64 (stmt, 10, day + 14 * 86400);
      sqlite3_bind_int (stmt, 11, g_rand_int_range (rand, 1, 6));
      sqlite3_bind_int64 (stmt, 12, created);
      sqlite3_bind_int64 (stmt, 13, modified);
      sqlite3_bind_text (stmt, 14, PICK (rand, sources), -1, SQLITE_STATIC);
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
    }
}

void
b24_seed (B24Emu *emu,
          guint   deals,
          guint   contacts,
          guint   companies,
          guint   seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  b24_db_exec (emu, "BEGIN");
  seed_companies (emu, rand, companies);
  seed_contacts (emu, rand, contacts);
  seed_deals (emu, rand, deals);
  b24_db_exec (emu, "COMMIT");
}
