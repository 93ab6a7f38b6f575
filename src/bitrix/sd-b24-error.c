/* sd-b24-error.c: Bitrix24 error codes to SD_B24_ERROR.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-b24-error.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

G_DEFINE_QUARK (sd-b24-error-quark, sd_b24_error)

static const struct
{
  const char *code;
  SdB24Error  error;
} codes[] = {
  { "QUERY_LIMIT_EXCEEDED", SD_B24_ERROR_RATE_LIMIT },
  { "OPERATION_TIME_LIMIT", SD_B24_ERROR_OPERATING_LIMIT },
  { "expired_token", SD_B24_ERROR_TOKEN_EXPIRED },
  { "invalid_token", SD_B24_ERROR_AUTH },
  { "INVALID_CREDENTIALS", SD_B24_ERROR_AUTH },
  { "NO_AUTH_FOUND", SD_B24_ERROR_AUTH },
  { "authorization_error", SD_B24_ERROR_AUTH },
  { "WRONG_AUTH_TYPE", SD_B24_ERROR_AUTH },
  { "invalid_grant", SD_B24_ERROR_AUTH },
  { "invalid_client", SD_B24_ERROR_AUTH },
  { "METHOD_CONFIRM_WAITING", SD_B24_ERROR_ACCESS_DENIED },
  { "insufficient_scope", SD_B24_ERROR_SCOPE },
  { "invalid_scope", SD_B24_ERROR_SCOPE },
  { "ACCESS_DENIED", SD_B24_ERROR_ACCESS_DENIED },
  { "user_access_error", SD_B24_ERROR_ACCESS_DENIED },
  { "allowed_only_intranet_user", SD_B24_ERROR_ACCESS_DENIED },
  { "ERROR_METHOD_NOT_FOUND", SD_B24_ERROR_METHOD_NOT_FOUND },
  { "NOT_FOUND", SD_B24_ERROR_NOT_FOUND },
  { "ERROR_NOT_FOUND", SD_B24_ERROR_NOT_FOUND },
  { "OWNER_NOT_FOUND", SD_B24_ERROR_NOT_FOUND },
  { "INVALID_REQUEST", SD_B24_ERROR_BAD_URL },
  { "PORTAL_DELETED", SD_B24_ERROR_BAD_URL },
  { "INTERNAL_SERVER_ERROR", SD_B24_ERROR_SERVER },
  { "ERROR_UNEXPECTED_ANSWER", SD_B24_ERROR_SERVER },
  { "OVERLOAD_LIMIT", SD_B24_ERROR_SERVER },
};

SdB24Error
sd_b24_error_from_code (const char *code,
                        const char *description,
                        guint       http_status)
{
  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (codes); i++)
    if (g_ascii_strcasecmp (code, codes[i].code) == 0)
      return codes[i].error;

  /* The old CRM methods send an empty code and say it in words. */
  if (description != NULL && (code == NULL || *code == '\0'))
    {
      if (g_ascii_strncasecmp (description, "Not found", 9) == 0)
        return SD_B24_ERROR_NOT_FOUND;
      if (g_ascii_strncasecmp (description, "Access denied", 13) == 0)
        return SD_B24_ERROR_ACCESS_DENIED;
    }
  if (http_status >= 500)
    return SD_B24_ERROR_SERVER;
  if (http_status == 401)
    return SD_B24_ERROR_AUTH;
  return SD_B24_ERROR_INVALID;
}

void
sd_b24_error_set_from_object (GError     **error,
                              JsonObject  *object,
                              guint        http_status)
{
  const char *code = json_object_get_string_member_with_default (object, "error", "");
  const char *description = json_object_get_string_member_with_default (object,
                                                                        "error_description", "");
  SdB24Error kind = sd_b24_error_from_code (code, description, http_status);

  /* The portal's words are kept, with its code for whoever has to report it. */
  if (*code != '\0' && *description != '\0')
    g_set_error (error, SD_B24_ERROR, kind, "%s (%s)", description, code);
  else if (*description != '\0')
    g_set_error_literal (error, SD_B24_ERROR, kind, description);
  else if (*code != '\0')
    g_set_error_literal (error, SD_B24_ERROR, kind, code);
  else
    g_set_error (error, SD_B24_ERROR, kind, _("The portal refused the request (HTTP %u)"),
                 http_status);
}

gboolean
sd_b24_error_is_transient (const GError *error,
                           gboolean      idempotent)
{
  if (error == NULL || error->domain != SD_B24_ERROR)
    return FALSE;
  switch (error->code)
    {
    case SD_B24_ERROR_RATE_LIMIT:
    case SD_B24_ERROR_OPERATING_LIMIT:
      /* Refused before running: always safe to send again. */
      return TRUE;
    case SD_B24_ERROR_SERVER:
    case SD_B24_ERROR_NO_NETWORK:
    case SD_B24_ERROR_MALFORMED:
      /* It may have run; a write is sent again only by a caller that checks first. */
      return idempotent;
    default:
      return FALSE;
    }
}

char *
sd_b24_error_explain (const GError *error)
{
  const char *advice;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != SD_B24_ERROR)
    return g_strdup (error->message);
  switch (error->code)
    {
    case SD_B24_ERROR_BAD_URL:
      advice = _("This is not the address of a Bitrix24 inbound webhook. In Bitrix24 open "
                 "Developer resources → Other → Inbound webhook and copy the whole address.");
      break;
    case SD_B24_ERROR_AUTH:
      advice = _("The portal did not accept the webhook: its secret part is wrong, or the webhook "
                 "was deleted. Copy the address from Bitrix24 again.");
      break;
    case SD_B24_ERROR_TOKEN_EXPIRED:
      advice = _("The permission to use the portal has expired. Connect to Bitrix24 again.");
      break;
    case SD_B24_ERROR_SCOPE:
      advice = _("The webhook does not have enough permissions. In Bitrix24 edit it and tick "
                 "CRM, Users and Departments.");
      break;
    case SD_B24_ERROR_ACCESS_DENIED:
      advice = _("The portal refused: the webhook’s user may not do this, or the plan has no REST API.");
      break;
    case SD_B24_ERROR_NO_NETWORK:
      advice = _("Cannot reach the portal. Check the Internet connection and the portal’s name; "
                 "your changes are kept and will be sent later.");
      break;
    case SD_B24_ERROR_TLS:
      advice = _("The portal’s security certificate is not valid, so Sdelka does not send it "
                 "anything. Check the address, or ask your administrator.");
      break;
    case SD_B24_ERROR_RATE_LIMIT:
    case SD_B24_ERROR_OPERATING_LIMIT:
      advice = _("The portal is busy with too many requests. Sdelka will try again later.");
      break;
    case SD_B24_ERROR_SERVER:
    case SD_B24_ERROR_MALFORMED:
      advice = _("The portal is not answering properly right now. Sdelka will try again later.");
      break;
    default:
      advice = _("The portal refused the request.");
    }
  return g_strdup_printf ("%s\n(%s)", advice, error->message);
}
