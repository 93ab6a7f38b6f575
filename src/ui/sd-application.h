/* sd-application.h: the Sdelka application: one instance, actions, settings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sd-automation.h"

#include "sd-store.h"
#include "sync/sd-sync-controller.h"

G_BEGIN_DECLS

#define SD_TYPE_APPLICATION (sd_application_get_type ())
G_DECLARE_FINAL_TYPE (SdApplication, sd_application, SD, APPLICATION, AdwApplication)

SdApplication *sd_application_new          (void);

/* The application's settings, or NULL when the schema is not installed (then nothing is
 * remembered between runs). */
GSettings     *sd_application_get_settings (SdApplication *self);

/* The database the windows show, once the first window was made; NULL if it could not be
 * opened. */
SdStore       *sd_application_get_store    (SdApplication *self);

/* The sync with the portal, made with the first window; NULL without a database. */
SdSyncController *sd_application_get_sync  (SdApplication *self);
/* The engine running the rules over that database, once the first window was made. */
SdAutomation  *sd_application_get_automation (SdApplication *self);

/* What main() returns: non-zero when a developer option such as --render failed. */
int            sd_application_get_status   (SdApplication *self);

G_END_DECLS
