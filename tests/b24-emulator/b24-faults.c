/* b24-faults.c: injected failures for the client's retry paths.
 *
 * The draw is seeded, so a test that sets rates and a seed sees the same sequence each run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-faults.h"

#include <string.h>

static const char *const fault_names[B24_N_FAULTS] = {
  [B24_FAULT_NONE] = "none",
  [B24_FAULT_RATE_LIMIT] = "rate_limit",
  [B24_FAULT_HTTP_500] = "http_500",
  [B24_FAULT_HTTP_502] = "http_502",
  [B24_FAULT_HTTP_503] = "http_503",
  [B24_FAULT_RESET] = "reset",
  [B24_FAULT_REDIRECT] = "redirect",
  [B24_FAULT_SLOW] = "slow",
  [B24_FAULT_TRUNCATED] = "truncated",
  [B24_FAULT_MALFORMED] = "malformed",
};

struct _B24Faults {
  GRand *rand;
  double rates[B24_N_FAULTS];
  guint slow_ms;
};

B24Faults *
b24_faults_new (guint seed)
{
  B24Faults *faults = g_new0 (B24Faults, 1);

  faults->rand = g_rand_new_with_seed (seed);
  faults->slow_ms = 2000;
  return faults;
}

void
b24_faults_free (B24Faults *faults)
{
  g_rand_free (faults->rand);
  g_free (faults);
}

gboolean
b24_faults_set_rate (B24Faults  *faults,
                     const char *name,
                     double      rate)
{
  if (rate < 0 || rate > 1)
    return FALSE;
  for (int i = B24_FAULT_NONE + 1; i < B24_N_FAULTS; i++)
    if (strcmp (fault_names[i], name) == 0)
      {
        faults->rates[i] = rate;
        return TRUE;
      }
  return FALSE;
}

void
b24_faults_set_slow_ms (B24Faults *faults,
                        guint      slow_ms)
{
  faults->slow_ms = slow_ms;
}

guint
b24_faults_get_slow_ms (B24Faults *faults)
{
  return faults->slow_ms;
}

void
b24_faults_reseed (B24Faults *faults,
                   guint      seed)
{
  g_rand_set_seed (faults->rand, seed);
}

B24Fault
b24_faults_roll (B24Faults *faults)
{
  double total = 0, draw;

  for (int i = B24_FAULT_NONE + 1; i < B24_N_FAULTS; i++)
    total += faults->rates[i];
  if (total <= 0)
    return B24_FAULT_NONE;
  /* The rates are each fault's share of all requests; past their sum, no fault. */
  draw = g_rand_double (faults->rand);
  for (int i = B24_FAULT_NONE + 1; i < B24_N_FAULTS; i++)
    {
      if (draw < faults->rates[i])
        return i;
      draw -= faults->rates[i];
    }
  return B24_FAULT_NONE;
}

gboolean
b24_fault_before_execution (B24Fault fault)
{
  return fault != B24_FAULT_NONE && fault < B24_FAULT_SLOW;
}

const char *
b24_fault_name (B24Fault fault)
{
  return fault_names[fault];
}

JsonObject *
b24_faults_to_json (B24Faults *faults)
{
  JsonObject *object = json_object_new ();

  for (int i = B24_FAULT_NONE + 1; i < B24_N_FAULTS; i++)
    json_object_set_double_member (object, fault_names[i], faults->rates[i]);
  json_object_set_int_member (object, "slow_ms", faults->slow_ms);
  return object;
}
