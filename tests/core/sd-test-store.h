/* sd-test-store.h: a store on a real file in a fresh folder, with a small pipeline.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-records.h"
#include "sd-store.h"

typedef struct
{
  char    *dir;
  char    *path;
  SdStore *store;
  gint64   pipeline;
  gint64   stage_new;     /* "new": clerk may view/edit/move/chat */
  gint64   stage_work;    /* "work": clerk may view only; fitter may attach */
  gint64   stage_won;
  gint64   clerk;         /* users */
  gint64   fitter;
  gint64   boss;          /* all actions everywhere */
} SdTestStore;

void   sd_test_store_setup    (SdTestStore *fixture,
                               gconstpointer data);
void   sd_test_store_teardown (SdTestStore *fixture,
                               gconstpointer data);

/* A deal made by the system actor; returns its id. */
gint64 sd_test_store_add_deal (SdTestStore *fixture,
                               const char  *title,
                               gint64       stage,
                               gint64       amount);
gint64 sd_test_count          (SdStore     *store,
                               const char  *sql);
void   sd_test_remove_tree    (const char  *path);
