/* sd-test-app.h: running the application in a UI test, and demo databases for it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-application.h"
#include "window/sd-window.h"

G_BEGIN_DECLS

typedef void (*SdWindowCheck) (SdApplication *app,
                               SdWindow      *window,
                               gpointer       user_data);

/* Runs the application until @check has looked at its mapped, settled window. */
void   sd_test_run_with_window (SdWindowCheck check,
                                gpointer      user_data);

/* Iterates the main context until nothing is pending. */
void   sd_test_settle          (void);

/* A demo database of @n_deals (seed 1, a fixed day) in the test's temporary folder, made
 * once per path; the application opens it from now on (the database-path setting). */
char  *sd_test_use_demo        (const char   *name,
                                guint         n_deals);

/* Removes the databases sd_test_use_demo() made. */
void   sd_test_cleanup         (void);

/* The text a widget shows: its visible labels' text, depth first. */
void   sd_test_collect_text    (GtkWidget    *widget,
                                GString      *text);

G_END_DECLS
