/* sd-demo-random.h: a small PRNG whose sequence never changes between GLib versions, so a
 * seed means the same dataset everywhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64 state;
} SdDemoRandom;

void        sd_demo_random_init   (SdDemoRandom *random,
                                   guint64       seed);
guint64     sd_demo_random_next   (SdDemoRandom *random);
/* In [0, n). */
guint       sd_demo_random_below  (SdDemoRandom *random,
                                   guint         n);
gint64      sd_demo_random_range  (SdDemoRandom *random,
                                   gint64        low,
                                   gint64        high);
gboolean    sd_demo_random_chance (SdDemoRandom *random,
                                   guint         percent);
/* An index into @weights chosen in proportion to them. */
guint       sd_demo_random_weighted (SdDemoRandom *random,
                                     const guint  *weights,
                                     guint         n_weights);

#define sd_demo_random_pick(random, array) \
  ((array)[sd_demo_random_below ((random), G_N_ELEMENTS (array))])

G_END_DECLS
