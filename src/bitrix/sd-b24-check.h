/* sd-b24-check.h: whether a webhook opens what a sync needs, with one real request.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-b24-client.h"

G_BEGIN_DECLS

/* One batch with a call of each scope a sync uses (user, crm, department): FALSE with the
 * SD_B24_ERROR that the first refusal stands for. @out_user (nullable) gets the name of the
 * portal user the credential belongs to, @out_user_id (nullable) their portal ID (0 if the
 * portal did not say). Blocking; usable from any thread. */
gboolean sd_b24_client_check (SdB24Client   *client,
                              char         **out_user,
                              gint64        *out_user_id,
                              GCancellable  *cancellable,
                              GError       **error);

G_END_DECLS
