/* b24-limits.c: the leaky bucket and the per-method operating-time limit.
 *
 * The bucket: each request adds 1, the level drains by `rate` per second, and a request that
 * would take the level over `burst` is refused and not counted (the docs leave open whether
 * a refused request counts; see the README). The operating limit keeps, per method and
 * credential, ten one-minute buckets of execution time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-limits.h"

#include <string.h>

#define OPERATING_BUCKETS 10
#define OPERATING_MINUTE 60

typedef struct {
  gint64 minute[OPERATING_BUCKETS]; /* the minute each slot holds, or 0 */
  double seconds[OPERATING_BUCKETS];
} B24Operating;

struct _B24Limits {
  double rate;
  double burst;
  double level;
  double last;
  double operating_limit;
  double operating_cost;
  GHashTable *operating; /* "method\ncredential" → B24Operating */
};

B24Limits *
b24_limits_new (const B24Config *config)
{
  B24Limits *limits = g_new0 (B24Limits, 1);

  limits->operating = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  b24_limits_configure (limits, config->rate, config->burst, config->operating_limit,
                        config->operating_cost);
  return limits;
}

void
b24_limits_free (B24Limits *limits)
{
  g_hash_table_unref (limits->operating);
  g_free (limits);
}

void
b24_limits_configure (B24Limits *limits,
                      double     rate,
                      double     burst,
                      double     operating_limit,
                      double     operating_cost)
{
  limits->rate = rate;
  limits->burst = burst;
  limits->level = 0;
  limits->last = 0;
  limits->operating_limit = operating_limit;
  limits->operating_cost = operating_cost;
  g_hash_table_remove_all (limits->operating);
}

gboolean
b24_limits_take_request (B24Limits *limits,
                         double     now)
{
  if (limits->rate <= 0)
    return TRUE;
  if (limits->last > 0)
    limits->level = MAX (0.0, limits->level - (now - limits->last) * limits->rate);
  limits->last = now;
  if (limits->level + 1 > limits->burst + 1e-9)
    return FALSE;
  limits->level += 1;
  return TRUE;
}

static B24Operating *
operating_for (B24Limits  *limits,
               const char *method,
               const char *credential)
{
  g_autofree char *key = g_strconcat (method, "\n", credential, NULL);
  B24Operating *op = g_hash_table_lookup (limits->operating, key);

  if (op == NULL)
    {
      op = g_new0 (B24Operating, 1);
      g_hash_table_insert (limits->operating, g_steal_pointer (&key), op);
    }
  return op;
}

static double
operating_sum (B24Operating *op,
               gint64        minute,
               gint64       *oldest)
{
  double sum = 0;

  *oldest = minute;
  for (int i = 0; i < OPERATING_BUCKETS; i++)
    {
      if (op->minute[i] == 0 || op->minute[i] <= minute - OPERATING_BUCKETS)
        continue;
      sum += op->seconds[i];
      *oldest = MIN (*oldest, op->minute[i]);
    }
  return sum;
}

gboolean
b24_limits_operating_check (B24Limits  *limits,
                            const char *method,
                            const char *credential,
                            double      now,
                            double     *operating,
                            gint64     *reset_at)
{
  B24Operating *op = operating_for (limits, method, credential);
  gint64 minute = (gint64) now / OPERATING_MINUTE;
  gint64 oldest;

  *operating = operating_sum (op, minute, &oldest);
  *reset_at = (oldest + OPERATING_BUCKETS) * OPERATING_MINUTE;
  return limits->operating_limit <= 0 || *operating <= limits->operating_limit;
}

void
b24_limits_operating_add (B24Limits  *limits,
                          const char *method,
                          const char *credential,
                          double      now,
                          double      seconds)
{
  B24Operating *op = operating_for (limits, method, credential);
  gint64 minute = (gint64) now / OPERATING_MINUTE;
  int slot = minute % OPERATING_BUCKETS;

  if (op->minute[slot] != minute)
    {
      op->minute[slot] = minute;
      op->seconds[slot] = 0;
    }
  op->seconds[slot] += seconds + limits->operating_cost;
}

JsonObject *
b24_limits_to_json (B24Limits *limits)
{
  JsonObject *object = json_object_new ();

  json_object_set_double_member (object, "rate", limits->rate);
  json_object_set_double_member (object, "burst", limits->burst);
  json_object_set_double_member (object, "level", limits->level);
  json_object_set_double_member (object, "operating_limit", limits->operating_limit);
  json_object_set_double_member (object, "operating_cost", limits->operating_cost);
  /* Operating seconds each method holds in its ten one-minute buckets, all credentials. */
  {
    JsonObject *used = json_object_new ();
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, limits->operating);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        B24Operating *op = value;
        g_autofree char *method = g_strndup (key, strcspn (key, "\n"));
        double sum = json_object_get_double_member_with_default (used, method, 0);

        for (int i = 0; i < OPERATING_BUCKETS; i++)
          sum += op->seconds[i];
        json_object_set_double_member (used, method, sum);
      }
    json_object_set_object_member (object, "operating_used", used);
  }
  return object;
}
