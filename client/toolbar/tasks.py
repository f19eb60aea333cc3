"""spawn: run a coroutine as a task whose exception is reported, never lost.

Browser-free. The one way the toolbar starts a task (the Controller's effects, the
adapters' callbacks): exceptions in async callbacks show nowhere in PyScript, and the event
loop keeps only a weak reference to a task, so each task is held in a set until it ends.

Public names: spawn.
"""

import asyncio


def spawn(coroutine, on_error, tasks: set):
    """Run ``coroutine`` as a task held in ``tasks`` until it ends; return the task.

    An exception it raises goes to ``on_error(error)``.
    """
    this = []

    async def guarded():
        try:
            await coroutine
        except Exception as error:  # noqa: BLE001 - to on_error, never lost
            on_error(error)
        finally:
            tasks.discard(this[0])

    this.append(asyncio.create_task(guarded()))
    tasks.add(this[0])
    return this[0]
