/* sd-rating.h: the seller rating over a period (R-AUTO-11): plan completion first, task
 * efficiency to break ties, for the reports and for the monthly thanks in the feed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64  user_id;
  char   *name;
  gint64  won;              /* kopecks of deals won in the period, as the main responsible */
  gint64  plan;             /* kopecks: the monthly plan, pro rata for the period */
  double  plan_completion;  /* won / plan; 0 without a plan */
  gint64  tasks_closed;
  gint64  tasks_on_time;    /* closed by their deadline, or without one */
  double  task_efficiency;  /* on time / closed; 1 when none were closed */
} SdSellerRating;

void       sd_seller_rating_free (SdSellerRating *rating);

/* The active users of @role_code rated over [@from, @to) (UTC seconds), best first. */
GPtrArray *sd_rating_compute     (SdStore     *store,
                                  const char  *role_code,
                                  gint64       from,
                                  gint64       to,
                                  GError     **error);

G_END_DECLS
