/* sd-demo-random.c: splitmix64.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-demo-random.h"

void
sd_demo_random_init (SdDemoRandom *random,
                     guint64       seed)
{
  random->state = seed;
}

guint64
sd_demo_random_next (SdDemoRandom *random)
{
  guint64 z = (random->state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

guint
sd_demo_random_below (SdDemoRandom *random,
                      guint         n)
{
  return n == 0 ? 0 : (guint) (sd_demo_random_next (random) % n);
}

gint64
sd_demo_random_range (SdDemoRandom *random,
                      gint64        low,
                      gint64        high)
{
  return low + (gint64) (sd_demo_random_next (random) % (guint64) (high - low + 1));
}

gboolean
sd_demo_random_chance (SdDemoRandom *random,
                       guint         percent)
{
  return sd_demo_random_below (random, 100) < percent;
}

guint
sd_demo_random_weighted (SdDemoRandom *random,
                         const guint  *weights,
                         guint         n_weights)
{
  guint total = 0;
  guint pick;

  for (guint i = 0; i < n_weights; i++)
    total += weights[i];
  pick = sd_demo_random_below (random, total);
  for (guint i = 0; i < n_weights; i++)
    {
      if (pick < weights[i])
        return i;
      pick -= weights[i];
    }
  return n_weights - 1;
}
