/* sd-demo.c: the demo dataset's deals, and the embedded default database.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-demo"

#include "sd-demo.h"
#include "sd-demo-clients.h"
#include "sd-demo-random.h"
#include "sd-demo-staff.h"
#include "sd-demo-words.h"
#include "sd-playbook.h"
#include "sd-records.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define DAY (24 * 60 * 60)
#define DEFAULT_DEALS 300

typedef enum
{
  KIND_RENOVATION,
  KIND_BODY_REPAIR,
  KIND_B2B,
} PipelineKind;

typedef struct
{
  gint64        id;
  PipelineKind  kind;
  guint         weight;
  GPtrArray    *process;  /* SdStage, in order */
  GPtrArray    *won;
  GPtrArray    *lost;
  GPtrArray    *fields;   /* SdCustomField */
} DemoPipeline;

typedef struct
{
  SdStore             *store;
  const SdDemoOptions *options;
  SdDemoRandom         random;
  SdDemoStaff          staff;
  GArray              *contacts;
  GArray              *companies;
  GPtrArray           *pipelines;  /* DemoPipeline */
} Demo;

static void
demo_pipeline_free (DemoPipeline *pipeline)
{
  g_ptr_array_unref (pipeline->process);
  g_ptr_array_unref (pipeline->won);
  g_ptr_array_unref (pipeline->lost);
  g_ptr_array_unref (pipeline->fields);
  g_free (pipeline);
}

static gboolean
install_playbooks (SdStore  *store,
                   GError  **error)
{
  g_autoptr(GPtrArray) paths = sd_playbook_default_paths ();

  if (paths->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No playbooks were found");
      return FALSE;
    }
  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(SdPlaybook) playbook = sd_playbook_load_file (paths->pdata[i], error);

      if (playbook == NULL || sd_playbook_install (playbook, store, error) == 0)
        return FALSE;
    }
  return TRUE;
}

static gboolean
load_pipelines (Demo     *demo,
                GError  **error)
{
  static const guint weights[] = { 45, 35, 20 };
  g_autoptr(GPtrArray) pipelines = sd_store_list_pipelines (demo->store, error);

  if (pipelines == NULL)
    return FALSE;
  demo->pipelines = g_ptr_array_new_with_free_func ((GDestroyNotify) demo_pipeline_free);
  for (guint i = 0; i < pipelines->len; i++)
    {
      SdPipeline *source = pipelines->pdata[i];
      DemoPipeline *pipeline = g_new0 (DemoPipeline, 1);
      g_autoptr(GPtrArray) stages = sd_store_list_stages (demo->store, source->id, error);

      if (stages == NULL)
        {
          demo_pipeline_free (pipeline);
          return FALSE;
        }
      pipeline->id = source->id;
      pipeline->kind = strstr (source->code, "renov") ? KIND_RENOVATION
                       : strstr (source->code, "body") ? KIND_BODY_REPAIR : KIND_B2B;
      pipeline->weight = i < G_N_ELEMENTS (weights) ? weights[i] : 10;
      pipeline->process = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_stage_free);
      pipeline->won = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_stage_free);
      pipeline->lost = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_stage_free);
      /* The stages move into the three lists, which own them from here. */
      g_ptr_array_set_free_func (stages, NULL);
      for (guint k = 0; k < stages->len; k++)
        {
          SdStage *stage = stages->pdata[k];
          GPtrArray *into = g_str_equal (stage->semantics, "won") ? pipeline->won
                            : g_str_equal (stage->semantics, "lost") ? pipeline->lost
                            : pipeline->process;
          g_ptr_array_add (into, stage);
        }
      pipeline->fields = sd_store_list_custom_fields (demo->store, source->id, error);
      g_ptr_array_add (demo->pipelines, pipeline);
      if (pipeline->fields == NULL || pipeline->process->len == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "The pipeline %s has no stages in progress", source->code);
          return FALSE;
        }
    }
  return TRUE;
}

/* A real funnel: each stage holds fewer deals than the one before; about a fifth won and a
 * quarter lost. Returns the stage and how far along the funnel it is, 0..1. */
static SdStage *
pick_stage (Demo         *demo,
            DemoPipeline *pipeline,
            double       *out_progress)
{
  guint n = pipeline->process->len;
  g_autofree guint *weights = g_new (guint, n + 2);
  guint process_total = 0;
  guint index;

  for (guint i = 0; i < n; i++)
    process_total += weights[i] = (guint) (1000 * pow (0.78, i));
  weights[n] = pipeline->won->len > 0 ? process_total * 22 / 53 : 0;
  weights[n + 1] = pipeline->lost->len > 0 ? process_total * 25 / 53 : 0;
  index = sd_demo_random_weighted (&demo->random, weights, n + 2);
  if (index < n)
    {
      *out_progress = (double) index / n;
      return pipeline->process->pdata[index];
    }
  *out_progress = index == n ? 1.0 : (double) sd_demo_random_below (&demo->random, n) / n;
  return index == n ? pipeline->won->pdata[0] : pipeline->lost->pdata[0];
}

static char *
iso_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_time);

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

static char *
iso_date (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_time);

  return g_date_time_format (time, "%Y-%m-%d");
}

static char *
make_title (Demo         *demo,
            DemoPipeline *pipeline,
            gint64        company)
{
  SdDemoRandom *random = &demo->random;
  g_autofree char *address = sd_demo_make_address (random);

  switch (pipeline->kind)
    {
    case KIND_RENOVATION:
      return g_strdup_printf ("%s, %s",
                              sd_demo_renovation_works.items[sd_demo_random_below (
                                random, sd_demo_renovation_works.n_items)],
                              strchr (address, ',') + 2);
    case KIND_BODY_REPAIR:
      return g_strdup_printf ("%s %s, %s",
                              sd_demo_random_chance (random, 70) ? "Кузовной ремонт" : "Покраска",
                              sd_demo_cars.items[sd_demo_random_below (random, sd_demo_cars.n_items)],
                              sd_demo_random_chance (random, 50) ? "после ДТП" : "вмятины и сколы");
    default:
      return g_strdup_printf ("%s, заказ №%u%s",
                              sd_demo_b2b_goods.items[sd_demo_random_below (random,
                                                                            sd_demo_b2b_goods.n_items)],
                              1000 + sd_demo_random_below (random, 9000),
                              company != 0 ? "" : " (розница)");
    }
}

static gint64
make_amount (Demo         *demo,
             DemoPipeline *pipeline)
{
  static const gint64 ranges[][2] = {
    [KIND_RENOVATION] = { 150, 3500 },
    [KIND_BODY_REPAIR] = { 15, 450 },
    [KIND_B2B] = { 50, 5000 },
  };
  /* Thousands of roubles, skewed towards the small end as real orders are. */
  double r = (double) sd_demo_random_below (&demo->random, 10000) / 10000.0;
  gint64 low = ranges[pipeline->kind][0], high = ranges[pipeline->kind][1];

  return (low + (gint64) ((high - low) * r * r)) * 1000 * 100;
}

static gboolean
add_part (SdStore    *store,
          SdEntity    entity,
          SdChanges  *changes,
          GError    **error)
{
  gint64 id = sd_store_insert (store, entity, changes, error);

  sd_changes_free (changes);
  return id != 0;
}

static gboolean
add_payment (Demo       *demo,
             gint64      deal,
             gint64      amount,
             const char *status,
             gint64      when,
             gboolean    prepayment,
             GError    **error)
{
  static const char *const methods[] = { "transfer", "transfer", "card", "cash", "online" };
  SdChanges *c = sd_changes_new ();
  g_autofree char *date = iso_date (when);

  sd_changes_set_int (c, "deal_id", deal);
  sd_changes_set_int (c, "amount", amount);
  sd_changes_set_text (c, "status", status);
  sd_changes_set_text (c, "due_on", date);
  sd_changes_set_text (c, "method", sd_demo_random_pick (&demo->random, methods));
  sd_changes_set_int (c, "prepayment", prepayment);
  return add_part (demo->store, SD_ENTITY_PAYMENT, c, error);
}

static gboolean
add_payments (Demo      *demo,
              gint64     deal,
              gint64     amount,
              gint64     created,
              double     progress,
              gboolean   won,
              GError   **error)
{
  gint64 today = demo->options->today;
  gint64 advance, paid_on;

  if (progress < 0.5 || amount == 0)
    return TRUE;
  advance = amount / 100 * (30 + sd_demo_random_below (&demo->random, 21)) / 1000 * 1000;
  paid_on = created + (today - created) / 3;
  if (!add_payment (demo, deal, advance, "paid", paid_on, TRUE, error))
    return FALSE;
  if (won && sd_demo_random_chance (&demo->random, 85))
    return add_payment (demo, deal, amount - advance, "paid",
                        paid_on + (today - paid_on) / 2, FALSE, error);
  /* Some balances are overdue: the board badges them. */
  return add_payment (demo, deal, amount - advance, "planned",
                      today + sd_demo_random_range (&demo->random, -20, 45) * DAY, FALSE, error);
}

static gboolean
add_custom_values (Demo         *demo,
                   DemoPipeline *pipeline,
                   gint64        deal,
                   GError      **error)
{
  for (guint i = 0; i < pipeline->fields->len; i++)
    {
      SdCustomField *field = pipeline->fields->pdata[i];
      SdChanges *c;
      g_autofree char *value = NULL;

      if (!g_str_equal (field->entity, "deal")
          || (!field->required && !sd_demo_random_chance (&demo->random, 45)))
        continue;
      if (field->options->len > 0)
        value = g_strdup (((SdFieldOption *) field->options->pdata[
          sd_demo_random_below (&demo->random, field->options->len)])->code);
      else if (g_str_equal (field->kind, "number"))
        value = g_strdup_printf ("%u", 1 + sd_demo_random_below (&demo->random, 120));
      else if (g_str_equal (field->kind, "bool"))
        value = g_strdup (sd_demo_random_chance (&demo->random, 50) ? "1" : "0");
      else
        continue;
      c = sd_changes_new ();
      sd_changes_set_int (c, "deal_id", deal);
      sd_changes_set_int (c, "field_id", field->id);
      sd_changes_set_text (c, "value", value);
      if (!add_part (demo->store, SD_ENTITY_DEAL_FIELD, c, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
add_responsibles (Demo         *demo,
                  DemoPipeline *pipeline,
                  gint64        deal,
                  double        progress,
                  gint64       *out_main,
                  GError      **error)
{
  static const char *const main_roles[] = {
    [KIND_RENOVATION] = "project_manager",
    [KIND_BODY_REPAIR] = "sales_manager",
    [KIND_B2B] = "sales_manager",
  };
  gint64 user = sd_demo_staff_pick (&demo->staff, &demo->random, main_roles[pipeline->kind]);
  SdChanges *c;

  if (user == 0)
    user = sd_demo_staff_pick (&demo->staff, &demo->random, "head");
  *out_main = user;
  c = sd_changes_new ();
  sd_changes_set_int (c, "deal_id", deal);
  sd_changes_set_int (c, "user_id", user);
  sd_changes_set_text (c, "part", pipeline->kind == KIND_B2B ? "before_order" : "main");
  if (!add_part (demo->store, SD_ENTITY_DEAL_RESPONSIBLE, c, error))
    return FALSE;

  /* B2B: the rep sells, an order operator carries the order through (seed 001). */
  if (pipeline->kind == KIND_B2B && progress >= 0.5)
    {
      gint64 operator = sd_demo_staff_pick (&demo->staff, &demo->random, "order_operator");
      if (operator == 0)
        return TRUE;
      c = sd_changes_new ();
      sd_changes_set_int (c, "deal_id", deal);
      sd_changes_set_int (c, "user_id", operator);
      sd_changes_set_text (c, "part", "after_order");
      return add_part (demo->store, SD_ENTITY_DEAL_RESPONSIBLE, c, error);
    }
  return TRUE;
}

static gboolean
add_deal (Demo    *demo,
          GError **error)
{
  static const guint pipeline_weights_max = 8;
  static const char *const comments[] = {
    "Клиент просит перезвонить после 18:00",
    "Отправили коммерческое предложение на почту",
    "Согласовали дату замера",
    "Клиент уточняет бюджет, вернуться через неделю",
    "Ждём предоплату по счёту",
    "Фотоотчёт по этапу загружен",
  };
  SdDemoRandom *random = &demo->random;
  guint weights[pipeline_weights_max];
  DemoPipeline *pipeline;
  SdStage *stage;
  SdChanges *c;
  double progress;
  gint64 today = demo->options->today;
  gint64 created = today - sd_demo_random_range (random, 1, 365 * DAY);
  gint64 moved = created + (gint64) ((today - created) * 0.6);
  gint64 contact, company = 0, amount, deal, main_user;
  g_autofree char *title = NULL, *created_iso = NULL, *moved_iso = NULL;
  gboolean won, open;

  for (guint i = 0; i < demo->pipelines->len && i < pipeline_weights_max; i++)
    weights[i] = ((DemoPipeline *) demo->pipelines->pdata[i])->weight;
  pipeline = demo->pipelines->pdata[sd_demo_random_weighted (random, weights,
                                                             MIN (demo->pipelines->len,
                                                                  pipeline_weights_max))];
  stage = pick_stage (demo, pipeline, &progress);
  won = g_str_equal (stage->semantics, "won");
  open = g_str_equal (stage->semantics, "process");
  contact = g_array_index (demo->contacts, gint64,
                           sd_demo_random_below (random, demo->contacts->len));
  if (pipeline->kind == KIND_B2B ? sd_demo_random_chance (random, 85)
                                 : sd_demo_random_chance (random, 12))
    company = g_array_index (demo->companies, gint64,
                             sd_demo_random_below (random, demo->companies->len));
  amount = make_amount (demo, pipeline);
  title = make_title (demo, pipeline, company);
  created_iso = iso_time (created);
  moved_iso = iso_time (moved);

  sd_store_set_time (demo->store, created);
  c = sd_changes_new ();
  sd_changes_set_text (c, "title", title);
  sd_changes_set_int (c, "pipeline_id", pipeline->id);
  sd_changes_set_int (c, "stage_id", stage->id);
  sd_changes_set_int (c, "amount", amount);
  sd_changes_set_int (c, "contact_id", contact);
  if (company != 0)
    sd_changes_set_int (c, "company_id", company);
  sd_changes_set_text (c, "source", sd_demo_random_chance (random, 60) ? "web_form" : "call");
  sd_changes_set_text (c, "created_at", created_iso);
  sd_changes_set_text (c, "updated_at", moved_iso);
  sd_changes_set_text (c, "stage_changed_at", moved_iso);
  if (open)
    {
      g_autofree char *next = iso_date (today + sd_demo_random_range (random, -10, 20) * DAY);
      sd_changes_set_text (c, "next_contact_on", next);
    }
  else
    {
      g_autofree char *closed = iso_date (moved);
      sd_changes_set_text (c, "closed_on", closed);
    }
  if (pipeline->kind == KIND_RENOVATION && progress >= 0.2)
    {
      g_autofree char *address = sd_demo_make_address (random);
      g_autofree char *day = iso_date (created + 3 * DAY);
      g_autofree char *when = g_strdup_printf ("%sT%02u:00:00", day,
                                               9 + sd_demo_random_below (random, 9));
      sd_changes_set_text (c, "measurement_at", when);
      sd_changes_set_text (c, "measurement_address", address);
    }
  deal = sd_store_insert (demo->store, SD_ENTITY_DEAL, c, error);
  sd_changes_free (c);
  if (deal == 0)
    return FALSE;

  if (!add_responsibles (demo, pipeline, deal, progress, &main_user, error)
      || !add_custom_values (demo, pipeline, deal, error)
      || !add_payments (demo, deal, amount, created, progress, won, error))
    return FALSE;

  if (sd_demo_random_chance (random, 25))
    {
      c = sd_changes_new ();
      sd_changes_set_int (c, "deal_id", deal);
      sd_changes_set_text (c, "kind", "comment");
      sd_changes_set_text (c, "text", sd_demo_random_pick (random, comments));
      sd_changes_set_int (c, "author_id", main_user);
      if (!add_part (demo->store, SD_ENTITY_TIMELINE, c, error))
        return FALSE;
    }
  if (open && sd_demo_random_chance (random, 30))
    {
      g_autofree char *deadline = iso_time (today + sd_demo_random_range (random, -3, 10) * DAY);
      c = sd_changes_new ();
      sd_changes_set_int (c, "deal_id", deal);
      sd_changes_set_text (c, "title", "Связаться с клиентом");
      sd_changes_set_int (c, "responsible_id", main_user);
      sd_changes_set_int (c, "creator_id", main_user);
      sd_changes_set_text (c, "deadline", deadline);
      if (!add_part (demo->store, SD_ENTITY_TASK, c, error))
        return FALSE;
    }
  return TRUE;
}

/* Contact fields are shared by pipelines: each once, from whichever pipeline lists it. */
static GPtrArray *
contact_fields_of (Demo *demo)
{
  GPtrArray *fields = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint p = 0; p < demo->pipelines->len; p++)
    {
      DemoPipeline *pipeline = demo->pipelines->pdata[p];

      for (guint i = 0; i < pipeline->fields->len; i++)
        {
          SdCustomField *field = pipeline->fields->pdata[i];
          if (g_str_equal (field->entity, "contact") && g_hash_table_add (seen, &field->id))
            g_ptr_array_add (fields, field);
        }
    }
  return fields;
}

static gboolean
generate (Demo                  *demo,
          GFileProgressCallback  progress,
          gpointer               progress_data,
          GError               **error)
{
  guint n_deals = demo->options->n_deals;
  guint n_contacts = MAX (10, n_deals * 3 / 5);  /* fleets and firms come back */
  guint n_companies = MAX (5, n_deals / 6);
  g_autoptr(GPtrArray) contact_fields = NULL;
  g_autofree char *seed = NULL;

  sd_store_set_time (demo->store, demo->options->today - 366 * DAY);
  if (!install_playbooks (demo->store, error)
      || !load_pipelines (demo, error)
      || !sd_demo_staff_create (demo->store, &demo->random, &demo->staff, error))
    return FALSE;

  demo->contacts = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_contacts);
  demo->companies = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_companies);
  contact_fields = contact_fields_of (demo);
  for (guint i = 0; i < n_contacts; i++)
    {
      gint64 id = sd_demo_add_contact (demo->store, &demo->random, contact_fields, error);
      if (id == 0)
        return FALSE;
      g_array_append_val (demo->contacts, id);
    }
  for (guint i = 0; i < n_companies; i++)
    {
      gint64 id = sd_demo_add_company (demo->store, &demo->random, error);
      if (id == 0)
        return FALSE;
      g_array_append_val (demo->companies, id);
    }

  for (guint i = 0; i < n_deals; i++)
    {
      if (!add_deal (demo, error))
        return FALSE;
      /* Commit in slices so a big dataset does not spill one huge transaction to disk. */
      if ((i + 1) % 2000 == 0
          && (!sd_store_commit (demo->store, error) || !sd_store_begin_bulk (demo->store, error)))
        return FALSE;
      if (progress != NULL && (i + 1) % 1000 == 0)
        progress (i + 1, n_deals, progress_data);
    }
  if (progress != NULL)
    progress (n_deals, n_deals, progress_data);
  seed = g_strdup_printf ("%" G_GUINT64_FORMAT, demo->options->seed);
  return sd_store_set_meta (demo->store, "demo-seed", seed, error);
}

gboolean
sd_demo_generate (SdStore               *store,
                  const SdDemoOptions   *options,
                  GFileProgressCallback  progress,
                  gpointer               progress_data,
                  GError               **error)
{
  Demo demo = { store, options };
  gint64 actor = sd_store_get_actor (store);
  gboolean ok;

  sd_demo_random_init (&demo.random, options->seed);
  sd_store_set_actor (store, SD_ACTOR_SYSTEM);
  sd_store_set_origin (store, "demo");
  ok = sd_store_begin_bulk (store, error);
  if (ok)
    {
      ok = generate (&demo, progress, progress_data, error);
      /* A failed commit has rolled back already; nothing else is open then. */
      if (ok)
        ok = sd_store_commit (store, error);
      else if (sd_store_in_transaction (store))
        sd_store_rollback (store);
    }
  sd_store_set_origin (store, "local");
  sd_store_set_time (store, 0);
  sd_store_set_actor (store, actor);

  sd_demo_staff_clear (&demo.staff);
  g_clear_pointer (&demo.contacts, g_array_unref);
  g_clear_pointer (&demo.companies, g_array_unref);
  g_clear_pointer (&demo.pipelines, g_ptr_array_unref);
  return ok;
}

char *
sd_demo_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "sdelka", "sdelka.db", NULL);
}

SdStore *
sd_demo_open_or_create (const char  *path,
                        GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *partial = NULL;
  g_autoptr(GDateTime) now = NULL;
  SdDemoOptions options = { DEFAULT_DEALS, 1, 0 };
  SdStore *store;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return sd_store_open (path, error);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot create the folder %s: %s", dir, g_strerror (saved));
      return NULL;
    }
  /* Made aside and renamed, so an interrupted first start leaves no half database. */
  partial = g_strconcat (path, ".part", NULL);
  g_unlink (partial);
  store = sd_store_open (partial, error);
  if (store == NULL)
    return NULL;
  now = g_date_time_new_now_utc ();
  options.today = g_date_time_to_unix (now) / DAY * DAY;
  if (!sd_demo_generate (store, &options, NULL, NULL, error))
    {
      g_object_unref (store);
      g_unlink (partial);
      return NULL;
    }
  g_object_unref (store);
  if (g_rename (partial, path) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot create %s: %s", path, g_strerror (saved));
      return NULL;
    }
  return sd_store_open (path, error);
}
