/* sd-rating.c: rating sellers over a period.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-rating.h"
#include "sd-automation-db.h"

void
sd_seller_rating_free (SdSellerRating *rating)
{
  g_free (rating->name);
  g_free (rating);
}

static int
better_first (gconstpointer a,
              gconstpointer b)
{
  const SdSellerRating *x = *(SdSellerRating **) a, *y = *(SdSellerRating **) b;

  if (x->plan_completion != y->plan_completion)
    return x->plan_completion > y->plan_completion ? -1 : 1;
  if (x->task_efficiency != y->task_efficiency)
    return x->task_efficiency > y->task_efficiency ? -1 : 1;
  return x->user_id < y->user_id ? -1 : x->user_id > y->user_id;
}

static char *
iso (gint64 when)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (when);
  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

GPtrArray *
sd_rating_compute (SdStore     *store,
                   const char  *role_code,
                   gint64       from,
                   gint64       to,
                   GError     **error)
{
  g_autoptr(GArray) people = sd_automation_db_users_with_role (store, role_code);
  g_autofree char *from_iso = iso (from);
  g_autofree char *to_iso = iso (to);
  GPtrArray *ratings = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_seller_rating_free);

  for (guint i = 0; i < people->len; i++)
    {
      SdSellerRating *r = g_new0 (SdSellerRating, 1);
      gint64 monthly_plan;

      r->user_id = g_array_index (people, gint64, i);
      r->name = sd_automation_db_user_name (store, r->user_id);
      if (!sd_automation_db_seller_figures (store, r->user_id, from_iso, to_iso, &r->won,
                                            &monthly_plan, &r->tasks_closed, &r->tasks_on_time,
                                            error))
        {
          sd_seller_rating_free (r);
          g_ptr_array_unref (ratings);
          return NULL;
        }
      /* Plans are monthly; a period of another length gets its share of a 30-day month. */
      r->plan = (gint64) ((double) monthly_plan * (double) (to - from) / (30.0 * 86400) + 0.5);
      if (to - from >= 28 * 86400 && to - from <= 31 * 86400)
        r->plan = monthly_plan;
      r->plan_completion = r->plan > 0 ? (double) r->won / (double) r->plan : 0;
      r->task_efficiency = r->tasks_closed > 0
                           ? (double) r->tasks_on_time / (double) r->tasks_closed : 1.0;
      g_ptr_array_add (ratings, r);
    }
  g_ptr_array_sort (ratings, better_first);
  return ratings;
}
