/* sd-demo-clients.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-demo-clients.h"
#include "sd-demo-staff.h"
#include "sd-demo-words.h"
#include "sd-records.h"

#define PICK(random, words) ((words).items[sd_demo_random_below ((random), (words).n_items)])

static const char *const client_types[] = { "private", "private", "private", "fleet",
                                            "legal_up_to_3", "legal_5_10" };

char *
sd_demo_make_inn (SdDemoRandom *random)
{
  static const int weights[] = { 2, 4, 10, 3, 5, 9, 4, 6, 8 };
  char inn[11];
  int sum = 0;

  /* Regions 77 (Moscow) and 50 (Moscow region) as most clients are there. */
  inn[0] = sd_demo_random_chance (random, 70) ? '7' : '5';
  inn[1] = inn[0] == '7' ? '7' : '0';
  for (int i = 2; i < 9; i++)
    inn[i] = '0' + sd_demo_random_below (random, 10);
  for (int i = 0; i < 9; i++)
    sum += (inn[i] - '0') * weights[i];
  inn[9] = '0' + (sum % 11) % 10;
  inn[10] = '\0';
  return g_strdup (inn);
}

char *
sd_demo_make_address (SdDemoRandom *random)
{
  return g_strdup_printf ("г. %s, %s, д. %u, кв. %u", PICK (random, sd_demo_cities),
                          PICK (random, sd_demo_streets), 1 + sd_demo_random_below (random, 120),
                          1 + sd_demo_random_below (random, 300));
}

static char *
make_phone (SdDemoRandom *random)
{
  static const guint codes[] = { 903, 905, 910, 915, 916, 925, 926, 977, 985, 999 };

  /* People write numbers every way; search must not care. */
  switch (sd_demo_random_below (random, 3))
    {
    case 0:
      return g_strdup_printf ("+7 (%u) %03u-%02u-%02u", sd_demo_random_pick (random, codes),
                              sd_demo_random_below (random, 1000), sd_demo_random_below (random, 100),
                              sd_demo_random_below (random, 100));
    case 1:
      return g_strdup_printf ("8%u%07u", sd_demo_random_pick (random, codes),
                              sd_demo_random_below (random, 10000000));
    default:
      return g_strdup_printf ("+7 %u %03u %04u", sd_demo_random_pick (random, codes),
                              sd_demo_random_below (random, 1000),
                              sd_demo_random_below (random, 10000));
    }
}

static gboolean
add_channel (SdStore    *store,
             gint64      contact,
             const char *kind,
             const char *value,
             const char *value_type,
             GError    **error)
{
  g_autoptr(SdChanges) c = sd_changes_new ();

  sd_changes_set_int (c, "contact_id", contact);
  sd_changes_set_text (c, "kind", kind);
  sd_changes_set_text (c, "value", value);
  sd_changes_set_text (c, "value_type", value_type);
  return sd_store_insert (store, SD_ENTITY_CONTACT_CHANNEL, c, error) != 0;
}

/* The client type is both the contact's own column and a playbook field; they agree. */
static gboolean
add_fields (SdStore      *store,
            SdDemoRandom *random,
            gint64        contact,
            const char   *type,
            GPtrArray    *fields,
            GError      **error)
{
  for (guint i = 0; i < fields->len; i++)
    {
      SdCustomField *field = fields->pdata[i];
      g_autoptr(SdChanges) c = NULL;
      const char *value;

      if (field->options->len == 0)
        continue;
      value = g_str_equal (field->code, "client_type")
                ? type
                : ((SdFieldOption *) field->options->pdata[
                    sd_demo_random_below (random, field->options->len)])->code;
      c = sd_changes_new ();
      sd_changes_set_int (c, "contact_id", contact);
      sd_changes_set_int (c, "field_id", field->id);
      sd_changes_set_text (c, "value", value);
      if (sd_store_insert (store, SD_ENTITY_CONTACT_FIELD, c, error) == 0)
        return FALSE;
    }
  return TRUE;
}

gint64
sd_demo_add_contact (SdStore      *store,
                     SdDemoRandom *random,
                     GPtrArray    *fields,
                     GError      **error)
{
  g_autoptr(SdChanges) c = sd_changes_new ();
  g_autofree char *first = NULL, *last = NULL, *second = NULL;
  g_autofree char *phone = NULL, *address = NULL;
  const char *type = sd_demo_random_pick (random, client_types);
  gint64 id;

  sd_demo_person_name (random, &first, &last, &second);
  address = sd_demo_make_address (random);
  sd_changes_set_text (c, "first_name", first);
  sd_changes_set_text (c, "last_name", last);
  sd_changes_set_text (c, "second_name", second);
  sd_changes_set_text (c, "client_type", type);
  sd_changes_set_int (c, "priority", g_str_equal (type, "fleet") ? 1 : 0);
  sd_changes_set_text (c, "address", address);
  id = sd_store_insert (store, SD_ENTITY_CONTACT, c, error);
  if (id == 0 || !add_fields (store, random, id, type, fields, error))
    return 0;

  phone = make_phone (random);
  if (!add_channel (store, id, "phone", phone, "MOBILE", error))
    return 0;
  if (sd_demo_random_chance (random, 20))
    {
      g_autofree char *work = make_phone (random);
      if (!add_channel (store, id, "phone", work, "WORK", error))
        return 0;
    }
  if (sd_demo_random_chance (random, 60))
    {
      g_autofree char *latin = sd_demo_translit (last);
      g_autofree char *email = g_strdup_printf ("%s.%u@%s", latin,
                                                sd_demo_random_below (random, 1000),
                                                PICK (random, sd_demo_email_domains));
      if (!add_channel (store, id, "email", email, "WORK", error))
        return 0;
    }
  return id;
}

gint64
sd_demo_add_company (SdStore      *store,
                     SdDemoRandom *random,
                     GError      **error)
{
  g_autoptr(SdChanges) c = sd_changes_new ();
  const char *form = PICK (random, sd_demo_company_forms);
  g_autofree char *title = g_strdup_printf ("%s «%s»", form, PICK (random, sd_demo_company_words));
  g_autofree char *inn = sd_demo_make_inn (random);
  g_autofree char *kpp = g_strdup_printf ("%.4s01001", inn);
  g_autofree char *ogrn = g_strdup_printf ("1%02u%.2s%08u", 2 + sd_demo_random_below (random, 22),
                                           inn, sd_demo_random_below (random, 100000000));
  g_autofree char *account = g_strdup_printf ("40702810%012" G_GUINT64_FORMAT,
                                              sd_demo_random_next (random) % 1000000000000);
  g_autofree char *bik = g_strdup_printf ("0445%05u", sd_demo_random_below (random, 100000));
  g_autofree char *corr = g_strdup_printf ("30101810%012" G_GUINT64_FORMAT,
                                           sd_demo_random_next (random) % 1000000000000);
  g_autofree char *address = sd_demo_make_address (random);
  g_autofree char *phone = make_phone (random);

  sd_changes_set_text (c, "title", title);
  sd_changes_set_text (c, "inn", inn);
  sd_changes_set_text (c, "kpp", kpp);
  sd_changes_set_text (c, "ogrn", ogrn);
  sd_changes_set_text (c, "address", address);
  sd_changes_set_text (c, "bank_name", PICK (random, sd_demo_banks));
  sd_changes_set_text (c, "bik", bik);
  sd_changes_set_text (c, "account", account);
  sd_changes_set_text (c, "corr_account", corr);
  sd_changes_set_text (c, "phone", phone);
  return sd_store_insert (store, SD_ENTITY_COMPANY, c, error);
}
