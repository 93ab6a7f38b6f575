/* sd-party-picker.h: pick a deal's contact or company with search, or make a new one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sd-store.h"

G_BEGIN_DECLS

#define SD_TYPE_PARTY_PICKER (sd_party_picker_get_type ())
G_DECLARE_FINAL_TYPE (SdPartyPicker, sd_party_picker, SD, PARTY_PICKER, GtkPopover)

/* @entity: SD_ENTITY_CONTACT or SD_ENTITY_COMPANY. ::picked (gint64 id) says which row
 * was chosen or made. */
GtkWidget *sd_party_picker_new    (SdStore  *store,
                                   SdEntity  entity);
/* Makes the new row from the picker's fields: a contact with its phone, a company with
 * its INN. Returns its id, or 0 with the reason. */
gint64     sd_party_picker_create (SdPartyPicker *self,
                                   const char    *name,
                                   const char    *extra,
                                   GError       **error);

G_END_DECLS
