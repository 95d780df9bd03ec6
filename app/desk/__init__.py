"""The agent's workflows, without Textual: each takes a workplace and returns what happened.

A screen calls a workflow in a worker and presents its typed result; the rules live
here, tested against the emulator (``tests/desk/``). The modules, each with one job:

* :mod:`~app.desk.workplace` — :class:`Workplace`, what a workflow works with (the
  session is one);
* :mod:`~app.desk.outcomes` — outcomes several workflows share: :class:`Refused`
  (read-only, before any request), :class:`Rejected`, :class:`Lost`, :class:`Gone`;
* :mod:`~app.desk.edits` — :class:`ProfileEdit`, the text typed over one version;
* :mod:`~app.desk.profile` — :func:`load_customer`, the consistent read;
* :mod:`~app.desk.save` — :func:`save_customer`: saved / clashes / gone, merging a
  change saved elsewhere meanwhile;
* :mod:`~app.desk.create` — :func:`create_customer`, once, a lost answer told;
* :mod:`~app.desk.delete` — :func:`delete_customer` at the version seen;
* :mod:`~app.desk.cards` — :class:`CardsOnFile`: list, add (under its intent's key),
  disable;
* :mod:`~app.desk.groups` — :class:`Memberships`: join an existing group or a new
  name, leave; :func:`same_name`;
* :mod:`~app.desk.intents` — one idempotency key per intended create, for the run;
* :mod:`~app.desk.custom_fields` — a customer's custom fields: load with definitions,
  save at the versions read (conflicts shown); their values in
  :mod:`~app.desk.custom_values`;
* :mod:`~app.desk.checks` — field checks before any request (email, phone, dates,
  lengths); :class:`~app.desk.groups.GroupAdmin` renames and deletes groups.

Import from the modules: this package imports nothing, so that the session (on the
first frame's path) can hold the run's intents without loading the client.
"""
