/* sd-automation-vote.c: R-AUTO-11, the seed's promotion after a group vote.
 *
 * Seed 001 §4: when a seller meets the conditions, a poll is sent to everyone in the sales
 * group in a preset form; if more than 80 % of the group vote for it, the seller's position
 * changes (e.g. to head of the sales group). Here: at the end of a rated period, each
 * seller at or over the promotion's share of the plan, and not yet in the new position, is
 * put to a vote of the other active people of the rated role. Each of them is asked in the
 * bell (and the portal's); votes are cast with sd_automation_cast_vote(); the vote that
 * passes changes the seller's position through the store (journaled, synced) and is
 * announced in the feed; one still short when its time is up is closed as rejected (a
 * timer). Access roles do not change: who may do what stays the head's decision.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-automation-private.h"
#include "sd-automation-db.h"
#include "sd-rating.h"
#include "sd-records.h"
#include "sd-store-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

static gint64
count_yes (SdStore *store,
           gint64   vote_id)
{
  sqlite3_stmt *stmt = sd_store_prepare (store, "SELECT count(*) FROM automation_ballots"
                                                " WHERE vote_id = ? AND yes", NULL);
  gint64 n = 0;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, vote_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

static gboolean
close_vote (SdStore     *store,
            gint64       vote_id,
            const char  *outcome,
            GError     **error)
{
  g_autofree char *now = sd_store_now_iso (store);
  sqlite3_stmt *stmt = sd_store_prepare (store, "UPDATE automation_votes SET closed_at = ?,"
                                                " outcome = ? WHERE id = ? AND closed_at IS NULL",
                                         error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, outcome, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, vote_id);
  return sd_store_step_done (store, stmt, error);
}

static char *
vote_timer_key (gint64 vote_id)
{
  return g_strdup_printf ("vote|%" G_GINT64_FORMAT, vote_id);
}

gboolean
sd_automation_open_vote (SdAutomation          *self,
                         const SdPlaybook      *pb,
                         const char            *rule_id,
                         const SdSellerRating  *rating,
                         const char            *period,
                         gint64                 period_end,
                         GError               **error)
{
  const SdPromotionRule *promotion = pb->rating->promotion;
  SdStore *store = self->store;
  g_autoptr(GArray) group = sd_automation_db_users_with_role (store, pb->rating->role);
  g_autoptr(GArray) voters = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) facts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  SdAutomationEvent event = { SD_EVENT_TIMER, 0, SD_ACTOR_SYSTEM, NULL, NULL, NULL, NULL };
  SdRun run = { self, &event, pb, NULL, NULL, NULL, NULL, NULL, NULL };
  const char *position = sd_playbook_text_get (promotion->position, NULL);
  g_autofree char *question = NULL;
  g_autofree char *now = sd_store_now_iso (store);
  g_autofree char *timer_rule = g_strconcat (pb->code, "/$vote", NULL);
  g_autofree char *key = NULL;
  SdAutomationTimer timer = { 0 };
  sqlite3_stmt *stmt;
  gint64 vote_id;

  for (guint i = 0; i < group->len; i++)
    if (g_array_index (group, gint64, i) != rating->user_id)
      g_array_append_val (voters, g_array_index (group, gint64, i));
  /* Nobody to ask, or already in the position: no vote. */
  if (voters->len == 0
      || sd_automation_db_user_has_position (store, rating->user_id, position))
    return TRUE;

  g_hash_table_insert (facts, g_strdup ("seller"), g_strdup (rating->name));
  g_hash_table_insert (facts, g_strdup ("plan_percent"),
                       g_strdup_printf ("%d", (int) (rating->plan_completion * 100)));
  g_hash_table_insert (facts, g_strdup ("period"), g_strdup (period));
  g_hash_table_insert (facts, g_strdup ("position"), g_strdup (position));
  run.facts = facts;
  question = sd_automation_expand (&run, promotion->question);
  run.facts = NULL;

  stmt = sd_store_prepare (store, "INSERT OR IGNORE INTO automation_votes (rule, candidate_id,"
                                  " period, position, question, voters, share, opened_at,"
                                  " closes_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, rule_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, rating->user_id);
  sqlite3_bind_text (stmt, 3, period, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, position, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, question, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, voters->len);
  sqlite3_bind_int64 (stmt, 7, promotion->share);
  sqlite3_bind_text (stmt, 8, now, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 9, period_end + promotion->within);
  if (!sd_store_step_done (store, stmt, error))
    return FALSE;
  /* The period's vote was opened before (a replay): nothing more. */
  if (sqlite3_changes (sd_store_get_db (store)) == 0)
    return TRUE;
  vote_id = sqlite3_last_insert_rowid (sd_store_get_db (store));

  for (guint i = 0; i < voters->len; i++)
    {
      gint64 voter = g_array_index (voters, gint64, i);
      SdNewNotification written = { 0, voter };

      written.id = sd_automation_db_add_notification (store, voter, 0, question, timer_rule, error);
      if (written.id == 0)
        return FALSE;
      g_array_append_val (self->new_notifications, written);
      if (!sd_automation_db_add_outbox (store, 0, "im", voter, 0, NULL, NULL, question, NULL,
                                        timer_rule, error))
        return FALSE;
    }
  /* When its time is up, a vote still short is closed. */
  key = vote_timer_key (vote_id);
  timer.key = key;
  timer.rule = timer_rule;
  timer.due_at = period_end + promotion->within;
  return sd_automation_db_add_timer (store, &timer, error);
}

gboolean
sd_automation_vote_timer (SdAutomation      *self,
                          SdAutomationTimer *timer,
                          GError           **error)
{
  gint64 vote_id = g_ascii_strtoll (timer->key + strlen ("vote|"), NULL, 10);

  return close_vote (self->store, vote_id, "rejected", error)
         && sd_automation_db_drop_timer (self->store, timer->id, error);
}

typedef struct
{
  gint64    vote_id;
  gint64    voter_id;
  gboolean  yes;
  gboolean  promoted;
} Ballot;

static gboolean
cast (SdAutomation *self,
      Ballot       *ballot,
      GError      **error)
{
  SdStore *store = self->store;
  g_autofree char *now = sd_store_now_iso (store);
  g_autofree char *position = NULL;
  g_autofree char *rule = NULL;
  gint64 candidate = 0, voters = 0, share = 0, yes;
  gboolean open = FALSE;
  sqlite3_stmt *stmt;

  stmt = sd_store_prepare (store, "SELECT candidate_id, voters, share, position, rule,"
                                  " closed_at IS NULL AND closes_at > ? FROM automation_votes"
                                  " WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, sd_store_now (store));
  sqlite3_bind_int64 (stmt, 2, ballot->vote_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      candidate = sqlite3_column_int64 (stmt, 0);
      voters = sqlite3_column_int64 (stmt, 1);
      share = sqlite3_column_int64 (stmt, 2);
      position = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      rule = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      open = sqlite3_column_int (stmt, 5);
    }
  sqlite3_reset (stmt);
  if (candidate == 0 || !open)
    {
      g_set_error_literal (error, SD_AUTOMATION_ERROR, SD_AUTOMATION_ERROR_INVALID,
                           candidate == 0 ? _("There is no such vote")
                                          : _("The vote is closed"));
      return FALSE;
    }
  if (!sd_automation_db_may_vote (store, ballot->vote_id, rule, ballot->voter_id, candidate))
    {
      g_set_error_literal (error, SD_AUTOMATION_ERROR, SD_AUTOMATION_ERROR_INVALID,
                           _("Only the others of the group vote on a promotion"));
      return FALSE;
    }
  stmt = sd_store_prepare (store, "INSERT OR REPLACE INTO automation_ballots (vote_id, voter_id,"
                                  " yes, at) VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, ballot->vote_id);
  sqlite3_bind_int64 (stmt, 2, ballot->voter_id);
  sqlite3_bind_int (stmt, 3, ballot->yes);
  sqlite3_bind_text (stmt, 4, now, -1, SQLITE_STATIC);
  if (!sd_store_step_done (store, stmt, error))
    return FALSE;

  yes = count_yes (store, ballot->vote_id);
  if (yes * 100 <= share * voters)
    return TRUE;

  /* Passed: the position changes through the store, and everyone hears of it. */
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    g_autofree char *code = g_strndup (rule, strcspn (rule, "/"));
    const SdPlaybook *pb = g_hash_table_lookup (self->playbooks, code);
    const SdPromotionRule *promotion = pb != NULL && pb->rating != NULL ? pb->rating->promotion : NULL;
    g_autofree char *name = sd_automation_db_user_name (store, candidate);
    g_autofree char *told = g_strdup_printf (_("The group voted for you: you are now %s"), position);
    g_autofree char *timer_rule = g_strconcat (code, "/$vote", NULL);
    SdNewNotification written = { 0, candidate };

    sd_changes_set_text (changes, "position", position);
    if (!sd_store_update (store, SD_ENTITY_USER, candidate, changes, error)
        || !close_vote (store, ballot->vote_id, "promoted", error))
      return FALSE;
    written.id = sd_automation_db_add_notification (store, candidate, 0, told, timer_rule, error);
    if (written.id == 0)
      return FALSE;
    g_array_append_val (self->new_notifications, written);
    if (promotion != NULL && promotion->announce != NULL)
      {
        g_autoptr(GHashTable) facts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
        SdAutomationEvent event = { SD_EVENT_TIMER, 0, SD_ACTOR_SYSTEM, NULL, NULL, NULL, NULL };
        SdRun run = { self, &event, pb, NULL, NULL, NULL, NULL, NULL, NULL };
        g_autofree char *text = NULL;

        g_hash_table_insert (facts, g_strdup ("seller"), g_strdup (name));
        g_hash_table_insert (facts, g_strdup ("position"), g_strdup (position));
        run.facts = facts;
        text = sd_automation_expand (&run, promotion->announce);
        run.facts = NULL;
        if (!sd_automation_db_add_outbox (store, 0, "feed", 0, 0, NULL, NULL, text, NULL,
                                          timer_rule, error))
          return FALSE;
      }
    ballot->promoted = TRUE;
  }
  return TRUE;
}

gboolean
sd_automation_cast_vote (SdAutomation  *self,
                         gint64         vote_id,
                         gint64         voter_id,
                         gboolean       yes,
                         gboolean      *promoted,
                         GError       **error)
{
  Ballot ballot = { vote_id, voter_id, yes, FALSE };
  gint64 actor;
  gboolean ok;

  g_return_val_if_fail (SD_IS_AUTOMATION (self), FALSE);

  actor = sd_store_get_actor (self->store);
  if (!sd_store_begin (self->store, error))
    return FALSE;
  /* The promotion is the rule's doing, not the last voter's. */
  sd_store_set_actor (self->store, SD_ACTOR_SYSTEM);
  ok = cast (self, &ballot, error);
  sd_store_set_actor (self->store, actor);
  if (!ok)
    {
      sd_store_rollback (self->store);
      g_array_set_size (self->new_notifications, 0);
      return FALSE;
    }
  if (!sd_store_commit (self->store, error))
    {
      g_array_set_size (self->new_notifications, 0);
      return FALSE;
    }
  if (!sd_store_in_transaction (self->store))
    sd_automation_emit_notifications (self);
  if (promoted != NULL)
    *promoted = ballot.promoted;
  return TRUE;
}

void
sd_vote_free (SdVote *vote)
{
  if (vote == NULL)
    return;
  g_free (vote->candidate);
  g_free (vote->position);
  g_free (vote->question);
  g_free (vote);
}

GPtrArray *
sd_automation_list_open_votes (SdAutomation  *self,
                               gint64         voter_id,
                               GError       **error)
{
  GPtrArray *votes;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (SD_IS_AUTOMATION (self), NULL);

  stmt = sd_store_prepare (self->store,
                           "SELECT v.id, v.candidate_id, v.position, v.question, v.closes_at,"
                           " (SELECT yes FROM automation_ballots b WHERE b.vote_id = v.id"
                           "  AND b.voter_id = ?1), v.rule"
                           " FROM automation_votes v WHERE v.closed_at IS NULL AND v.closes_at > ?2"
                           " AND v.candidate_id != ?1 ORDER BY v.id", error);
  if (stmt == NULL)
    return NULL;
  votes = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_vote_free);
  sqlite3_bind_int64 (stmt, 1, voter_id);
  sqlite3_bind_int64 (stmt, 2, sd_store_now (self->store));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      gint64 candidate = sqlite3_column_int64 (stmt, 1);
      SdVote *vote;

      if (!sd_automation_db_may_vote (self->store, id, (const char *) sqlite3_column_text (stmt, 6),
                                      voter_id, candidate))
        continue;
      vote = g_new0 (SdVote, 1);
      vote->id = id;
      vote->candidate_id = candidate;
      vote->position = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      vote->question = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      vote->closes_at = sqlite3_column_int64 (stmt, 4);
      vote->voted = sqlite3_column_type (stmt, 5) == SQLITE_NULL ? -1 : sqlite3_column_int (stmt, 5);
      g_ptr_array_add (votes, vote);
    }
  sqlite3_reset (stmt);
  for (guint i = 0; i < votes->len; i++)
    {
      SdVote *vote = votes->pdata[i];
      vote->candidate = sd_automation_db_user_name (self->store, vote->candidate_id);
    }
  return votes;
}
