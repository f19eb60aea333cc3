"""Twilio TaskRouter in the emulator, sans-I/O.

- ``expressions``: the expression language of ``target_workers`` and workflow filters.
- ``model``: the resources (workspaces, activities, workers, queues, workflows, tasks,
  reservations) as plain records; ``workflows``: a workflow's configuration JSON.
- ``engine``: the behaviour: routing to the longest-idle worker, reservations and their
  timeouts, the assignment callback and its instructions, queue statistics.
- ``voice``: the calls side: ``<Enqueue>`` makes a Task, the ``conference`` instruction
  bridges caller and worker, a caller's hang-up cancels the Task.
- ``resources`` and ``rest``: TaskRouter's v1 JSON and REST handlers, routed by
  ``sandbox/twilio_rest/api.py`` under ``/sandbox/twilio/rest/taskrouter/v1/…``.

The switchboard owns the one engine and carries its effects (timers, assignment callbacks)
out through the emulator's I/O. What is emulated is docs/twilio-rest.md, "TaskRouter".
"""
