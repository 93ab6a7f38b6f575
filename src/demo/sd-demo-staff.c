/* sd-demo-staff.c: a department tree with heads, and users for every role.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-demo-staff.h"
#include "sd-demo-words.h"
#include "sd-records.h"

#include <string.h>

static const struct
{
  const char *name;
  int         parent;     /* index in this table, -1 for the root */
  const char *head_role;
} departments[] = {
  { "Дирекция", -1, "head" },
  { "Отдел продаж", 0, "head" },
  { "Колл-центр", 1, "head" },
  { "Отдел ремонта и отделки", 0, "head" },
  { "Кузовной цех", 0, "head" },
  { "Оптовые продажи", 1, "head" },
};

static const struct
{
  const char *role;
  const char *position;
  guint       count;
  int         department;
  gint64      plan;       /* roubles a month; 0 for no sales plan */
} people[] = {
  { "operator", "Оператор колл-центра", 4, 2, 0 },
  { "measurer", "Замерщик", 3, 3, 0 },
  { "estimator", "Сметчик", 2, 3, 0 },
  { "project_manager", "Менеджер проекта", 4, 3, 3000000 },
  { "foreman", "Прораб", 5, 3, 0 },
  { "sales_manager", "Менеджер по продажам", 6, 1, 2500000 },
  { "sales_manager", "Менеджер по оптовым продажам", 3, 5, 4000000 },
  { "senior_estimator", "Старший менеджер-оценщик", 1, 4, 0 },
  { "order_operator", "Оператор заказа", 2, 5, 0 },
};

static const char *const translit_table[][2] = {
  { "а", "a" }, { "б", "b" }, { "в", "v" }, { "г", "g" }, { "д", "d" }, { "е", "e" },
  { "ё", "e" }, { "ж", "zh" }, { "з", "z" }, { "и", "i" }, { "й", "y" }, { "к", "k" },
  { "л", "l" }, { "м", "m" }, { "н", "n" }, { "о", "o" }, { "п", "p" }, { "р", "r" },
  { "с", "s" }, { "т", "t" }, { "у", "u" }, { "ф", "f" }, { "х", "kh" }, { "ц", "ts" },
  { "ч", "ch" }, { "ш", "sh" }, { "щ", "shch" }, { "ъ", "" }, { "ы", "y" }, { "ь", "" },
  { "э", "e" }, { "ю", "yu" }, { "я", "ya" },
};

char *
sd_demo_translit (const char *text)
{
  g_autofree char *lower = g_utf8_strdown (text, -1);
  GString *out = g_string_new (NULL);

  for (const char *p = lower; *p != '\0'; p = g_utf8_next_char (p))
    {
      gboolean done = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (translit_table) && !done; i++)
        if (strncmp (p, translit_table[i][0], strlen (translit_table[i][0])) == 0)
          {
            g_string_append (out, translit_table[i][1]);
            done = TRUE;
          }
      if (!done && g_ascii_isalnum (*p))
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

void
sd_demo_person_name (SdDemoRandom *random,
                     char        **first,
                     char        **last,
                     char        **second)
{
  gboolean female = sd_demo_random_chance (random, 50);
  const SdDemoWords *names = female ? &sd_demo_female_names : &sd_demo_male_names;
  const char *surname = sd_demo_surnames.items[sd_demo_random_below (random,
                                                                     sd_demo_surnames.n_items)];
  const char *root = sd_demo_patronymic_roots.items[
    sd_demo_random_below (random, sd_demo_patronymic_roots.n_items)];

  *first = g_strdup (names->items[sd_demo_random_below (random, names->n_items)]);
  *last = female ? sd_demo_feminine (surname) : g_strdup (surname);
  *second = g_strconcat (root, female ? "на" : "ич", NULL);
}

static gint64
insert (SdStore    *store,
        SdEntity    entity,
        SdChanges  *changes,
        GError    **error)
{
  gint64 id = sd_store_insert (store, entity, changes, error);

  sd_changes_free (changes);
  return id;
}

static gint64
add_user (SdStore      *store,
          SdDemoRandom *random,
          gint64        role_id,
          const char   *position,
          gint64        department,
          gint64        plan,
          guint         number,
          GError      **error)
{
  SdChanges *c = sd_changes_new ();
  g_autofree char *first = NULL, *last = NULL, *second = NULL;
  g_autofree char *login = NULL, *email = NULL, *phone = NULL;
  g_autofree char *latin = NULL;

  sd_demo_person_name (random, &first, &last, &second);
  latin = sd_demo_translit (last);
  login = g_strdup_printf ("%s%u", latin, number);
  email = g_strdup_printf ("%s@sdelka.example", login);
  phone = g_strdup_printf ("+7 (495) %03u-%02u-%02u", 200 + number, number % 100,
                           sd_demo_random_below (random, 100));
  sd_changes_set_text (c, "login", login);
  sd_changes_set_text (c, "first_name", first);
  sd_changes_set_text (c, "last_name", last);
  sd_changes_set_text (c, "second_name", second);
  sd_changes_set_text (c, "email", email);
  sd_changes_set_text (c, "phone", phone);
  sd_changes_set_text (c, "position", position);
  sd_changes_set_int (c, "department_id", department);
  sd_changes_set_int (c, "role_id", role_id);
  sd_changes_set_int (c, "sales_plan", plan * 100);
  return insert (store, SD_ENTITY_USER, c, error);
}

static void
remember (SdDemoStaff *staff,
          const char  *role,
          gint64       user)
{
  GArray *users = g_hash_table_lookup (staff->by_role, role);

  if (users == NULL)
    {
      users = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (staff->by_role, g_strdup (role), users);
    }
  g_array_append_val (users, user);
}

gboolean
sd_demo_staff_create (SdStore      *store,
                      SdDemoRandom *random,
                      SdDemoStaff  *staff,
                      GError      **error)
{
  gint64 department_ids[G_N_ELEMENTS (departments)];
  guint number = 1;

  staff->by_role = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_array_unref);

  for (guint i = 0; i < G_N_ELEMENTS (departments); i++)
    {
      SdChanges *c = sd_changes_new ();
      gint64 head_role = sd_store_find_role (store, departments[i].head_role);
      g_autoptr(SdChanges) head = sd_changes_new ();
      gint64 head_id;

      sd_changes_set_text (c, "name", departments[i].name);
      if (departments[i].parent >= 0)
        sd_changes_set_int (c, "parent_id", department_ids[departments[i].parent]);
      department_ids[i] = insert (store, SD_ENTITY_DEPARTMENT, c, error);
      if (department_ids[i] == 0)
        return FALSE;
      head_id = add_user (store, random, head_role,
                          i == 0 ? "Генеральный директор" : "Руководитель отдела",
                          department_ids[i], i == 1 || i == 5 ? 20000000 : 0, number++, error);
      if (head_id == 0)
        return FALSE;
      remember (staff, departments[i].head_role, head_id);
      sd_changes_set_int (head, "head_user_id", head_id);
      if (!sd_store_update (store, SD_ENTITY_DEPARTMENT, department_ids[i], head, error))
        return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (people); i++)
    {
      gint64 role_id = sd_store_find_role (store, people[i].role);

      if (role_id == 0)
        continue;
      for (guint k = 0; k < people[i].count; k++)
        {
          /* Plans differ person to person, as they do. */
          gint64 plan = people[i].plan > 0
                          ? people[i].plan / 10 * (8 + sd_demo_random_below (random, 5))
                          : 0;
          gint64 id = add_user (store, random, role_id, people[i].position,
                                department_ids[people[i].department], plan, number++, error);
          if (id == 0)
            return FALSE;
          remember (staff, people[i].role, id);
        }
    }
  return TRUE;
}

void
sd_demo_staff_clear (SdDemoStaff *staff)
{
  g_clear_pointer (&staff->by_role, g_hash_table_unref);
}

gint64
sd_demo_staff_pick (SdDemoStaff  *staff,
                    SdDemoRandom *random,
                    const char   *role)
{
  GArray *users = g_hash_table_lookup (staff->by_role, role);

  if (users == NULL || users->len == 0)
    return 0;
  return g_array_index (users, gint64, sd_demo_random_below (random, users->len));
}
