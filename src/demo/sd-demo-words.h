/* sd-demo-words.h: the Russian words demo data is made of.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *const *items;
  guint              n_items;
} SdDemoWords;

/* Surnames are given in the masculine form; sd_demo_feminine() makes the other one. */
extern const SdDemoWords sd_demo_male_names;
extern const SdDemoWords sd_demo_female_names;
extern const SdDemoWords sd_demo_surnames;
extern const SdDemoWords sd_demo_patronymic_roots;  /* "Иван" -> Иванович / Ивановна */
extern const SdDemoWords sd_demo_streets;
extern const SdDemoWords sd_demo_cities;
extern const SdDemoWords sd_demo_company_words;
extern const SdDemoWords sd_demo_company_forms;
extern const SdDemoWords sd_demo_banks;
extern const SdDemoWords sd_demo_cars;
extern const SdDemoWords sd_demo_renovation_works;
extern const SdDemoWords sd_demo_b2b_goods;
extern const SdDemoWords sd_demo_email_domains;

char *sd_demo_feminine (const char *surname);

G_END_DECLS
