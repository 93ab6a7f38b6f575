/* test-search.c: search as people type it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-search.h"
#include "sd-test-store.h"

static gint64
add_contact (SdStore    *store,
             const char *first,
             const char *last,
             const char *phone,
             const char *email)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdChanges) c = sd_changes_new ();
  gint64 id;

  sd_changes_set_text (c, "first_name", first);
  sd_changes_set_text (c, "last_name", last);
  id = sd_store_insert (store, SD_ENTITY_CONTACT, c, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(SdChanges) channel = sd_changes_new ();
      const char *value = i == 0 ? phone : email;

      if (value == NULL)
        continue;
      sd_changes_set_int (channel, "contact_id", id);
      sd_changes_set_text (channel, "kind", i == 0 ? "phone" : "email");
      sd_changes_set_text (channel, "value", value);
      sd_store_insert (store, SD_ENTITY_CONTACT_CHANNEL, channel, &error);
      g_assert_no_error (error);
    }
  return id;
}

static gboolean
finds (SdStore    *store,
       const char *query,
       SdEntity    entity,
       gint64      id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) hits = sd_store_search (store, query, 50, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < hits->len; i++)
    {
      SdSearchHit *hit = &g_array_index (hits, SdSearchHit, i);
      if (hit->entity == entity && hit->id == id)
        return TRUE;
    }
  return FALSE;
}

static void
test_people_as_typed (SdTestStore  *f,
                      gconstpointer data)
{
  gint64 ivanov = add_contact (f->store, "Сергей", "Иванов", "+7 (916) 123-45-67",
                               "s.ivanov@example.ru");
  gint64 semyonov = add_contact (f->store, "Пётр", "Семёнов", "8 903 000-11-22", NULL);
  gint64 company;
  g_autoptr(GError) error = NULL;
  g_autoptr(SdChanges) c = sd_changes_new ();

  sd_changes_set_text (c, "title", "ООО «Ромашка»");
  sd_changes_set_text (c, "inn", "7707083893");
  company = sd_store_insert (f->store, SD_ENTITY_COMPANY, c, &error);
  g_assert_no_error (error);

  g_assert_true (finds (f->store, "иванов", SD_ENTITY_CONTACT, ivanov));
  g_assert_true (finds (f->store, "ИВАНОВ", SD_ENTITY_CONTACT, ivanov));
  g_assert_true (finds (f->store, "Ива", SD_ENTITY_CONTACT, ivanov));
  g_assert_true (finds (f->store, "Семенов", SD_ENTITY_CONTACT, semyonov));
  g_assert_true (finds (f->store, "Семе\xcc\x88нов", SD_ENTITY_CONTACT, semyonov));  /* е + U+0308 */
  g_assert_true (finds (f->store, "семён", SD_ENTITY_CONTACT, semyonov));
  g_assert_true (finds (f->store, "Пётр Семенов", SD_ENTITY_CONTACT, semyonov));
  g_assert_true (finds (f->store, "9161234567", SD_ENTITY_CONTACT, ivanov));
  g_assert_true (finds (f->store, "+7 916 123 45 67", SD_ENTITY_CONTACT, ivanov));
  g_assert_true (finds (f->store, "8(916)1234567", SD_ENTITY_CONTACT, ivanov));
  g_assert_true (finds (f->store, "916123", SD_ENTITY_CONTACT, ivanov));
  g_assert_true (finds (f->store, "9030001122", SD_ENTITY_CONTACT, semyonov));
  g_assert_true (finds (f->store, "s.ivanov", SD_ENTITY_CONTACT, ivanov));
  g_assert_true (finds (f->store, "ромашка", SD_ENTITY_COMPANY, company));
  g_assert_true (finds (f->store, "7707083893", SD_ENTITY_COMPANY, company));

  g_assert_false (finds (f->store, "Петров", SD_ENTITY_CONTACT, ivanov));
  g_assert_false (finds (f->store, "Сергей Семёнов", SD_ENTITY_CONTACT, semyonov));
  /* FTS syntax typed by a person is text, not an error. */
  g_assert_false (finds (f->store, "\"Ива* OR NEAR(", SD_ENTITY_CONTACT, semyonov));
}

static void
test_deals_by_title_and_client (SdTestStore  *f,
                                gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdChanges) link = sd_changes_new ();
  g_autoptr(GArray) hits = NULL;
  gint64 contact = add_contact (f->store, "Мария", "Ёлкина", NULL, NULL);
  gint64 by_title = sd_test_store_add_deal (f, "Ремонт ванной", f->stage_new, 1);
  gint64 by_client = sd_test_store_add_deal (f, "Кухня под ключ", f->stage_new, 1);

  sd_test_store_add_deal (f, "Остекление балкона", f->stage_new, 1);
  sd_changes_set_int (link, "contact_id", contact);
  g_assert_true (sd_store_update (f->store, SD_ENTITY_DEAL, by_client, link, &error));

  hits = sd_store_search_deals (f->store, "ремонт", f->pipeline, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hits->len, ==, 1);
  g_assert_cmpint (g_array_index (hits, SdSearchHit, 0).id, ==, by_title);
  g_clear_pointer (&hits, g_array_unref);

  hits = sd_store_search_deals (f->store, "елкина", f->pipeline, 100, &error);
  g_assert_cmpint (hits->len, ==, 1);
  g_assert_cmpint (g_array_index (hits, SdSearchHit, 0).id, ==, by_client);
  g_clear_pointer (&hits, g_array_unref);

  /* A renamed deal is found by its new title only. */
  {
    g_autoptr(SdChanges) rename = sd_changes_new ();
    sd_changes_set_text (rename, "title", "Покраска стен");
    g_assert_true (sd_store_update (f->store, SD_ENTITY_DEAL, by_title, rename, &error));
  }
  hits = sd_store_search_deals (f->store, "ремонт", f->pipeline, 100, &error);
  g_assert_cmpint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_array_unref);
  hits = sd_store_search_deals (f->store, "покр", f->pipeline, 100, &error);
  g_assert_cmpint (hits->len, ==, 1);
}

static guint
count_hits (SdTestStore *f,
            const char  *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) hits = sd_store_search_deals (f->store, text, f->pipeline, 100, &error);

  g_assert_no_error (error);
  return hits->len;
}

/* A row created in a transaction has no entry to replace, unless a deleted row of the same
 * id had one: the newest deal deleted and another created in its place in one
 * transaction (SQLite gives it the same id) leaves only the new one findable. */
static void
test_same_id_in_one_transaction (SdTestStore  *f,
                                 gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 old = sd_test_store_add_deal (f, "Ремонт ванной", f->stage_new, 1);
  gint64 replaced, fresh;

  g_assert_cmpuint (count_hits (f, "ванной"), ==, 1);
  g_assert_true (sd_store_begin (f->store, &error));
  g_assert_true (sd_store_delete (f->store, SD_ENTITY_DEAL, old, &error));
  replaced = sd_test_store_add_deal (f, "Кухня под ключ", f->stage_new, 1);
  g_assert_cmpint (replaced, ==, old);
  g_assert_true (sd_store_commit (f->store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_hits (f, "ванной"), ==, 0);
  g_assert_cmpuint (count_hits (f, "кухня"), ==, 1);

  /* Created, deleted and created again before the commit: never indexed in between. */
  g_assert_true (sd_store_begin (f->store, &error));
  fresh = sd_test_store_add_deal (f, "Остекление балкона", f->stage_new, 1);
  g_assert_true (sd_store_delete (f->store, SD_ENTITY_DEAL, fresh, &error));
  g_assert_cmpint (sd_test_store_add_deal (f, "Покраска стен", f->stage_new, 1), ==, fresh);
  g_assert_true (sd_store_commit (f->store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_hits (f, "балкона"), ==, 0);
  g_assert_cmpuint (count_hits (f, "покраска"), ==, 1);
  g_assert_cmpuint (count_hits (f, "кухня"), ==, 1);
}

static void
test_build_match (void)
{
  g_autofree char *empty = sd_search_build_match ("  ,; ");
  g_autofree char *words = sd_search_build_match ("Иван  Ёлкин");
  g_autofree char *phone = sd_search_build_match ("+7 (916) 123-45-67");

  g_assert_null (empty);
  g_assert_cmpstr (words, ==, "\"иван\"* \"елкин\"*");
  g_assert_cmpstr (phone, ==, "\"9161234567\"*");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/core/search/people-as-typed", SdTestStore, NULL, sd_test_store_setup,
              test_people_as_typed, sd_test_store_teardown);
  g_test_add ("/core/search/deals-by-title-and-client", SdTestStore, NULL, sd_test_store_setup,
              test_deals_by_title_and_client, sd_test_store_teardown);
  g_test_add ("/core/search/same-id-in-one-transaction", SdTestStore, NULL, sd_test_store_setup,
              test_same_id_in_one_transaction, sd_test_store_teardown);
  g_test_add_func ("/core/search/build-match", test_build_match);
  return g_test_run ();
}
