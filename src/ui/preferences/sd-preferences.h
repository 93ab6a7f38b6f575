/* sd-preferences.h: Preferences: connecting to a Bitrix24 portal, and how often to sync.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sync/sd-sync-controller.h"

G_BEGIN_DECLS

#define SD_TYPE_PREFERENCES (sd_preferences_get_type ())
G_DECLARE_FINAL_TYPE (SdPreferences, sd_preferences, SD, PREFERENCES, AdwPreferencesWindow)

/* @controller (nullable): no database, no connection to offer; @settings (nullable). */
SdPreferences *sd_preferences_new             (SdSyncController *controller,
                                               GSettings        *settings);

/* For tests: the webhook typed in and Connect pressed; the confirmed Disconnect. */
void           sd_preferences_connect         (SdPreferences    *self,
                                               const char       *webhook_url);
void           sd_preferences_disconnect_now  (SdPreferences    *self);
/* For tests: the application's portal, code and key typed in and its Connect pressed
 * (NULLs keep what is typed); the consent page it waits for, or NULL; Cancel; the token
 * server (default: Bitrix24's). */
void           sd_preferences_connect_app     (SdPreferences    *self,
                                               const char       *portal_url,
                                               const char       *client_id,
                                               const char       *client_secret);
const char    *sd_preferences_get_consent_uri (SdPreferences    *self);
void           sd_preferences_cancel          (SdPreferences    *self);
void           sd_preferences_set_token_url   (SdPreferences    *self,
                                               const char       *token_url);
/* The explanation shown under the form after a failed Connect, or NULL. */
const char    *sd_preferences_get_message     (SdPreferences    *self);
/* Whether a Connect is being checked. */
gboolean       sd_preferences_get_busy        (SdPreferences    *self);

G_END_DECLS
