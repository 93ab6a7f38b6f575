/* sd-automation-actions.c: what a robot does, applied through the store as the system
 * actor (journaled, synced), or queued in the engine's own tables for the sync to hand to
 * the portal (messages, feed posts) and for the bell (notifications).
 *
 * Each action adds one sentence to the run's report, which the timeline shows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-automation-private.h"
#include "sd-automation-db.h"
#include "sd-records.h"

#include <glib/gi18n-lib.h>
#include <string.h>

static SdStore *
store_of (SdRun *run)
{
  return run->self->store;
}

static void
add_person (GArray *ids,
            gint64  id)
{
  if (id == 0)
    return;
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, gint64, i) == id)
      return;
  g_array_append_val (ids, id);
}

GArray *
sd_automation_people (SdRun *run,
                      GStrv  people)
{
  SdStore *store = store_of (run);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 responsible = sd_automation_fact_int (run, "#responsible_id");

  for (guint i = 0; people != NULL && people[i] != NULL; i++)
    {
      const char *person = people[i];

      if (strcmp (person, "responsible") == 0)
        add_person (ids, responsible);
      else if (strcmp (person, "head") == 0)
        add_person (ids, sd_automation_db_head_of (store, responsible));
      else if (strcmp (person, "head_chain") == 0)
        for (gint64 head = sd_automation_db_head_of (store, responsible), n = 0;
             head != 0 && n < 64; head = sd_automation_db_head_of (store, head), n++)
          add_person (ids, head);
      else if (strcmp (person, "actor") == 0)
        add_person (ids, run->event->actor_id);
      else if (g_str_has_prefix (person, "role:"))
        {
          g_autoptr(GArray) with_role = sd_automation_db_users_with_role (store, person + 5);
          for (guint j = 0; j < with_role->len; j++)
            add_person (ids, g_array_index (with_role, gint64, j));
        }
      else if (g_str_has_prefix (person, "user:"))
        add_person (ids, sd_store_find_user (store, person + 5));
    }
  return ids;
}

static char *
names_of (SdRun  *run,
          GArray *ids)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < ids->len; i++)
    {
      char *name = sd_automation_db_user_name (store_of (run), g_array_index (ids, gint64, i));
      if (name != NULL)
        g_ptr_array_add (names, name);
    }
  g_ptr_array_add (names, NULL);
  return g_strjoinv (", ", (char **) names->pdata);
}

gboolean
sd_automation_log (SdRun      *run,
                   const char *text,
                   GError    **error)
{
  g_autoptr(SdChanges) changes = sd_changes_new ();

  sd_changes_set_int (changes, "deal_id", run->event->deal_id);
  sd_changes_set_text (changes, "kind", "automation");
  sd_changes_set_text (changes, "text", text);
  return sd_store_insert (store_of (run), SD_ENTITY_TIMELINE, changes, error) != 0;
}

gboolean
sd_automation_move (SdRun   *run,
                    gint64   stage_id,
                    GError **error)
{
  SdAutomationEvent *entered;

  if (!sd_store_move_deal (store_of (run), run->event->deal_id, stage_id, error))
    return FALSE;
  entered = g_new0 (SdAutomationEvent, 1);
  entered->kind = SD_EVENT_ENTERED;
  entered->deal_id = run->event->deal_id;
  g_queue_push_tail (run->follow, entered);
  return TRUE;
}

static gboolean
notify (SdRun              *run,
        const SdRuleAction *action,
        GError            **error)
{
  SdStore *store = store_of (run);
  g_autoptr(GArray) people = sd_automation_people (run, action->to);
  g_autofree char *text = sd_automation_expand (run, action->text);
  g_autofree char *subject = action->subject ? sd_automation_expand (run, action->subject) : NULL;
  g_autofree char *names = NULL;

  for (guint i = 0; i < people->len; i++)
    {
      gint64 user = g_array_index (people, gint64, i);

      for (guint c = 0; action->channels[c] != NULL; c++)
        {
          const char *channel = action->channels[c];

          if (strcmp (channel, "app") == 0)
            {
              gint64 id = sd_automation_db_add_notification (store, user, run->event->deal_id,
                                                             text, run->rule->id, error);
              SdNewNotification written = { id, user };

              if (id == 0)
                return FALSE;
              g_array_append_val (run->self->new_notifications, written);
              /* The portal's bell too, for the person's other devices. */
              if (!sd_automation_db_add_outbox (store, run->event->deal_id, "im", user, 0, NULL,
                                                NULL, text, NULL, run->rule->id, error))
                return FALSE;
            }
          else
            {
              g_autofree char *address = sd_automation_db_user_contact (store, user,
                                                                        strcmp (channel, "email") == 0
                                                                        ? "email" : "phone");
              if (!sd_automation_db_add_outbox (store, run->event->deal_id, channel, user, 0,
                                                address, subject, text, NULL, run->rule->id,
                                                error))
                return FALSE;
            }
        }
    }
  names = names_of (run, people);
  if (people->len == 0)
    g_ptr_array_add (run->done, g_strdup (_("nobody to notify was found")));
  else
    g_ptr_array_add (run->done, g_strdup_printf (_("notified %s"), names));
  return TRUE;
}

/* The client's choice (R-COMM-3) in a notify_by field of the deal or the contact. */
static const char *
preferred_channel (SdRun *run)
{
  static const char *const known[] = { "email", "sms", "messenger", NULL };
  GHashTable *facts = sd_automation_facts (run);
  const char *chosen = g_hash_table_lookup (facts, "notify_by");

  if (chosen == NULL)
    chosen = g_hash_table_lookup (facts, "contact.notify_by");
  return chosen != NULL && g_strv_contains (known, chosen) ? g_intern_string (chosen) : "email";
}

static gboolean
message_client (SdRun              *run,
                const SdRuleAction *action,
                GError            **error)
{
  gint64 contact = sd_automation_fact_int (run, "#contact_id");
  g_autofree char *text = sd_automation_expand (run, action->text);
  g_autofree char *subject = action->subject ? sd_automation_expand (run, action->subject) : NULL;
  g_autofree char *files = sd_automation_db_file_ids (store_of (run), run->event->deal_id,
                                                      (const char *const *) action->attach);

  for (guint c = 0; action->channels[c] != NULL; c++)
    {
      const char *channel = action->channels[c];
      g_autofree char *address = NULL;

      if (strcmp (channel, "preferred") == 0)
        channel = preferred_channel (run);

      if (contact != 0)
        address = sd_automation_db_contact_channel (store_of (run), contact,
                                                    strcmp (channel, "email") == 0 ? "email"
                                                    : strcmp (channel, "sms") == 0 ? "phone"
                                                    : "im");
      /* A messenger reaches the client by phone number when no messenger id is known. */
      if (address == NULL && contact != 0 && strcmp (channel, "messenger") == 0)
        address = sd_automation_db_contact_channel (store_of (run), contact, "phone");
      if (address == NULL)
        {
          if (strcmp (channel, "email") == 0)
            g_ptr_array_add (run->done, g_strdup (_("could not e-mail the client: no address")));
          else if (strcmp (channel, "sms") == 0)
            g_ptr_array_add (run->done, g_strdup (_("could not send the client an SMS: no phone")));
          else
            g_ptr_array_add (run->done, g_strdup (_("could not message the client: no phone")));
          continue;
        }
      if (!sd_automation_db_add_outbox (store_of (run), run->event->deal_id, channel, 0, contact,
                                        address, subject, text, files, run->rule->id, error))
        return FALSE;
      if (strcmp (channel, "email") == 0)
        g_ptr_array_add (run->done, g_strdup_printf (_("e-mailed the client at %s"), address));
      else if (strcmp (channel, "sms") == 0)
        g_ptr_array_add (run->done, g_strdup_printf (_("sent the client an SMS at %s"), address));
      else
        g_ptr_array_add (run->done, g_strdup_printf (_("messaged the client at %s"), address));
    }
  return TRUE;
}

static char *
iso_after (SdRun  *run,
           gint64  seconds,
           gboolean date_only)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (sd_store_now (store_of (run))
                                                             + seconds);
  return g_date_time_format (time, date_only ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ");
}

static gboolean
create_task (SdRun              *run,
             const SdRuleAction *action,
             gint64              deadline,
             GError            **error)
{
  g_autoptr(SdChanges) changes = sd_changes_new ();
  g_autofree char *title = sd_automation_expand (run, action->subject);
  g_autofree char *who = NULL;
  gint64 responsible = sd_automation_fact_int (run, "#responsible_id");
  gint64 creator = 0;

  if (action->to != NULL)
    {
      g_autoptr(GArray) people = sd_automation_people (run, action->to);
      responsible = people->len > 0 ? g_array_index (people, gint64, 0) : 0;
    }
  if (action->creator != NULL)
    {
      char *one[] = { action->creator, NULL };
      g_autoptr(GArray) people = sd_automation_people (run, one);
      creator = people->len > 0 ? g_array_index (people, gint64, 0) : 0;
    }
  sd_changes_set_int (changes, "deal_id", run->event->deal_id);
  sd_changes_set_text (changes, "title", title);
  if (action->text != NULL)
    {
      g_autofree char *description = sd_automation_expand (run, action->text);
      sd_changes_set_text (changes, "description", description);
    }
  if (responsible != 0)
    sd_changes_set_int (changes, "responsible_id", responsible);
  if (creator != 0)
    sd_changes_set_int (changes, "creator_id", creator);
  /* Acceptance needs someone to accept: the creator. */
  sd_changes_set_int (changes, "needs_acceptance", action->needs_acceptance && creator != 0);
  if (deadline > 0)
    {
      g_autofree char *when = iso_after (run, deadline, FALSE);
      sd_changes_set_text (changes, "deadline", when);
    }
  if (sd_store_insert (store_of (run), SD_ENTITY_TASK, changes, error) == 0)
    return FALSE;
  who = responsible != 0 ? sd_automation_db_user_name (store_of (run), responsible) : NULL;
  g_ptr_array_add (run->done, g_strdup_printf (_("created the task “%s” for %s"), title,
                                               who != NULL ? who : _("nobody")));
  return TRUE;
}

/* A field of the deal's contact ("contact.client_type", a contact custom field
 * "contact.CODE") or company ("company.inn"). @done is FALSE when there was nothing to set
 * (no contact or company): the report says so. */
static gboolean
set_party_field (SdRun       *run,
                 const char  *field,
                 const char  *value,
                 gboolean    *done,
                 GError     **error)
{
  static const char *const contact_columns[] = { "first_name", "last_name", "client_type",
                                                 "address", NULL };
  static const char *const company_columns[] = { "title", "inn", "address", "email", "phone",
                                                 NULL };
  SdStore *store = store_of (run);
  g_autoptr(SdChanges) changes = sd_changes_new ();
  gboolean contact = g_str_has_prefix (field, "contact.");
  const char *column = field + (contact ? strlen ("contact.") : strlen ("company."));
  gint64 party = sd_automation_fact_int (run, contact ? "#contact_id" : "#company_id");

  *done = FALSE;
  if (party == 0)
    {
      g_ptr_array_add (run->done, g_strdup_printf (contact
                                                   ? _("could not set “%s”: the deal has no contact")
                                                   : _("could not set “%s”: the deal has no company"),
                                                   field));
      return TRUE;
    }
  if (!contact)
    {
      if (!g_strv_contains (company_columns, column))
        {
          g_ptr_array_add (run->done, g_strdup_printf (_("could not set “%s”: not a field of "
                                                         "this deal"), field));
          return TRUE;
        }
      sd_changes_set_text (changes, column, value);
      if (!sd_store_update (store, SD_ENTITY_COMPANY, party, changes, error))
        return FALSE;
    }
  else if (strcmp (column, "priority") == 0)
    {
      sd_changes_set_int (changes, "priority", g_ascii_strtoll (value, NULL, 10) != 0);
      if (!sd_store_update (store, SD_ENTITY_CONTACT, party, changes, error))
        return FALSE;
    }
  else if (g_strv_contains (contact_columns, column))
    {
      sd_changes_set_text (changes, column, value);
      if (!sd_store_update (store, SD_ENTITY_CONTACT, party, changes, error))
        return FALSE;
    }
  else
    {
      /* A contact field of the playbooks: shared by all pipelines, so no pipeline. */
      gint64 field_id = sd_store_find_custom_field (store, 0, column);
      gint64 row;

      if (field_id == 0)
        {
          g_ptr_array_add (run->done, g_strdup_printf (_("could not set “%s”: not a field of "
                                                         "this deal"), field));
          return TRUE;
        }
      row = sd_automation_db_contact_field_row (store, party, field_id);
      sd_changes_set_text (changes, "value", value);
      if (row != 0)
        {
          if (!sd_store_update (store, SD_ENTITY_CONTACT_FIELD, row, changes, error))
            return FALSE;
        }
      else
        {
          sd_changes_set_int (changes, "contact_id", party);
          sd_changes_set_int (changes, "field_id", field_id);
          if (sd_store_insert (store, SD_ENTITY_CONTACT_FIELD, changes, error) == 0)
            return FALSE;
        }
    }
  /* Later conditions of the run see the new value. */
  g_hash_table_insert (sd_automation_facts (run), g_strdup (field), g_strdup (value));
  *done = TRUE;
  return TRUE;
}

/* A deal column by the name rules use, a custom field of the deal's pipeline, or a field of
 * the deal's contact or company. */
static gboolean
set_field (SdRun       *run,
           const char  *field,
           const char  *value,
           GError     **error)
{
  static const char *const text_columns[] = { "title", "source", "comments", "next_contact_on",
                                              "measurement_at", "measurement_address", NULL };
  SdStore *store = store_of (run);
  g_autoptr(SdChanges) changes = sd_changes_new ();
  SdAutomationEvent *changed;

  if (g_str_has_prefix (field, "contact.") || g_str_has_prefix (field, "company."))
    {
      gboolean done;

      if (!set_party_field (run, field, value, &done, error))
        return FALSE;
      if (!done)
        return TRUE;
    }
  else if (g_strv_contains (text_columns, field))
    {
      sd_changes_set_text (changes, field, value);
      if (!sd_store_update (store, SD_ENTITY_DEAL, run->event->deal_id, changes, error))
        return FALSE;
    }
  else if (strcmp (field, "amount") == 0)
    {
      sd_changes_set_int (changes, "amount", g_ascii_strtoll (value, NULL, 10) * 100);
      if (!sd_store_update (store, SD_ENTITY_DEAL, run->event->deal_id, changes, error))
        return FALSE;
    }
  else
    {
      gint64 field_id = sd_store_find_custom_field (store, sd_automation_fact_int (run, "#pipeline_id"),
                                                    field);
      gint64 row;

      if (field_id == 0)
        {
          g_ptr_array_add (run->done, g_strdup_printf (_("could not set “%s”: not a field of "
                                                         "this deal"), field));
          return TRUE;
        }
      row = sd_automation_db_deal_field_row (store, run->event->deal_id, field_id);
      sd_changes_set_text (changes, "value", value);
      if (row != 0)
        {
          if (!sd_store_update (store, SD_ENTITY_DEAL_FIELD, row, changes, error))
            return FALSE;
        }
      else
        {
          sd_changes_set_int (changes, "deal_id", run->event->deal_id);
          sd_changes_set_int (changes, "field_id", field_id);
          if (sd_store_insert (store, SD_ENTITY_DEAL_FIELD, changes, error) == 0)
            return FALSE;
        }
    }
  g_ptr_array_add (run->done, g_strdup_printf (_("set “%s” to “%s”"), field, value));
  changed = g_new0 (SdAutomationEvent, 1);
  changed->kind = SD_EVENT_FIELD_CHANGED;
  changed->deal_id = run->event->deal_id;
  changed->field = g_intern_string (field);
  g_queue_push_tail (run->follow, changed);
  return TRUE;
}

static gboolean
make_responsible (SdRun   *run,
                  gint64   user,
                  GError **error)
{
  SdStore *store = store_of (run);
  g_autoptr(SdChanges) changes = sd_changes_new ();
  gint64 row = sd_automation_db_responsible_row (store, run->event->deal_id);
  g_autofree char *name = NULL;

  sd_changes_set_int (changes, "user_id", user);
  if (row != 0)
    {
      if (!sd_store_update (store, SD_ENTITY_DEAL_RESPONSIBLE, row, changes, error))
        return FALSE;
    }
  else
    {
      sd_changes_set_int (changes, "deal_id", run->event->deal_id);
      sd_changes_set_text (changes, "part", "main");
      if (sd_store_insert (store, SD_ENTITY_DEAL_RESPONSIBLE, changes, error) == 0)
        return FALSE;
    }
  /* Later actions of the run address the new responsible, and their head. */
  g_hash_table_insert (sd_automation_facts (run), g_strdup ("#responsible_id"),
                       g_strdup_printf ("%" G_GINT64_FORMAT, user));
  name = sd_automation_db_user_name (store, user);
  g_hash_table_insert (sd_automation_facts (run), g_strdup ("responsible"), g_strdup (name));
  g_hash_table_insert (sd_automation_facts (run), g_strdup ("head"),
                       sd_automation_db_user_name (store, sd_automation_db_head_of (store, user)));
  return TRUE;
}

gboolean
sd_automation_apply (SdRun              *run,
                     const SdRuleAction *action,
                     GError            **error)
{
  SdStore *store = store_of (run);

  switch (action->kind)
    {
    case SD_ACTION_NOTIFY:
      return notify (run, action, error);
    case SD_ACTION_MESSAGE_CLIENT:
      return message_client (run, action, error);
    case SD_ACTION_CREATE_TASK:
      return create_task (run, action, action->deadline, error);
    case SD_ACTION_FOLLOW_UP:
      {
        g_autofree char *date = iso_after (run, action->after, TRUE);
        g_autoptr(SdChanges) changes = sd_changes_new ();

        sd_changes_set_text (changes, "next_contact_on", date);
        if (!sd_store_update (store, SD_ENTITY_DEAL, run->event->deal_id, changes, error))
          return FALSE;
        g_ptr_array_add (run->done, g_strdup_printf (_("set the next contact for %s"), date));
        return create_task (run, action, action->after, error);
      }
    case SD_ACTION_SET_FIELD:
      return set_field (run, action->field, action->value, error);
    case SD_ACTION_MOVE:
      {
        const SdPlaybookStage *stage = sd_playbook_find_stage (run->pb, action->stage);
        gint64 stage_id = sd_store_find_stage (store, sd_automation_fact_int (run, "#pipeline_id"),
                                               action->stage);
        g_autofree char *refusal = sd_automation_refusal (run, stage);
        const char *name = sd_playbook_text_get (stage->name, NULL);

        if (refusal != NULL)
          {
            g_ptr_array_add (run->done, g_strdup_printf (_("could not move the deal to “%s”: %s"),
                                                         name, refusal));
            return TRUE;
          }
        if (stage_id == 0 || !sd_automation_move (run, stage_id, error))
          return stage_id == 0 ? TRUE : FALSE;
        g_ptr_array_add (run->done, g_strdup_printf (_("moved the deal to “%s”"), name));
        return TRUE;
      }
    case SD_ACTION_ASSIGN:
    case SD_ACTION_DISTRIBUTE:
      {
        gint64 user = 0;
        g_autofree char *name = NULL;

        if (action->kind == SD_ACTION_ASSIGN)
          {
            g_autoptr(GArray) people = sd_automation_people (run, action->to);
            user = people->len > 0 ? g_array_index (people, gint64, 0) : 0;
          }
        else
          {
            GError *local = NULL;
            user = sd_distribution_pick (store, action->role, &local);
            if (local != NULL)
              {
                g_propagate_error (error, local);
                return FALSE;
              }
          }
        if (user == 0)
          {
            g_ptr_array_add (run->done, g_strdup (_("found nobody to make responsible")));
            return TRUE;
          }
        if (!make_responsible (run, user, error))
          return FALSE;
        name = sd_automation_db_user_name (store, user);
        g_ptr_array_add (run->done, g_strdup_printf (action->kind == SD_ACTION_ASSIGN
                                                     ? _("made %s responsible")
                                                     : _("distributed the deal to %s"), name));
        return TRUE;
      }
    case SD_ACTION_CREATE_DOCUMENT:
      g_signal_emit_by_name (run->self, "document-requested", run->event->deal_id,
                             action->document);
      g_ptr_array_add (run->done, g_strdup_printf (_("asked for a document: %s"),
                                                   action->document));
      return TRUE;
    case SD_ACTION_POST_FEED:
      {
        g_autofree char *text = sd_automation_expand (run, action->text);
        g_autoptr(GString) address = g_string_new (NULL);
        g_autoptr(GArray) readers = NULL;
        g_autoptr(GArray) kept = g_array_new (FALSE, FALSE, sizeof (gint64));
        g_autofree char *author_name = NULL;
        g_autofree char *reader_names = NULL;
        gint64 author = 0;

        if (action->as != NULL)
          {
            char *one[] = { action->as, NULL };
            g_autoptr(GArray) people = sd_automation_people (run, one);

            author = people->len > 0 ? g_array_index (people, gint64, 0) : 0;
            if (author == 0)
              {
                g_ptr_array_add (run->done, g_strdup (_("could not post to the company feed: "
                                                        "nobody to post it in the name of")));
                return TRUE;
              }
            author_name = sd_automation_db_user_name (store, author);
          }
        if (action->to != NULL)
          {
            /* A post is not addressed to its author. */
            readers = sd_automation_people (run, action->to);
            for (guint i = 0; i < readers->len; i++)
              if (g_array_index (readers, gint64, i) != author)
                {
                  g_array_append_val (kept, g_array_index (readers, gint64, i));
                  g_string_append_printf (address, "%s%" G_GINT64_FORMAT, address->len > 0 ? "," : "",
                                          g_array_index (readers, gint64, i));
                }
            if (kept->len == 0)
              {
                g_ptr_array_add (run->done, g_strdup (_("could not post to the company feed: "
                                                        "nobody to address it to")));
                return TRUE;
              }
            reader_names = names_of (run, kept);
          }
        /* The feed's row: user_id in whose name, address the readers' ids (none: everyone),
         * as docs/PLAYBOOKS.md describes for the sync. */
        if (!sd_automation_db_add_outbox (store, run->event->deal_id, "feed", author, 0,
                                          address->len > 0 ? address->str : NULL, NULL, text,
                                          NULL, run->rule->id, error))
          return FALSE;
        if (author_name != NULL && reader_names != NULL)
          g_ptr_array_add (run->done, g_strdup_printf (_("posted to the company feed in the name of "
                                                         "%s for %s"), author_name, reader_names));
        else if (author_name != NULL)
          g_ptr_array_add (run->done, g_strdup_printf (_("posted to the company feed in the name "
                                                         "of %s"), author_name));
        else if (reader_names != NULL)
          g_ptr_array_add (run->done, g_strdup_printf (_("posted to the company feed for %s"),
                                                       reader_names));
        else
          g_ptr_array_add (run->done, g_strdup (_("posted to the company feed")));
        return TRUE;
      }
    default:
      g_assert_not_reached ();
    }
}
