"""The door card's colour (便民服务卡), stated once: the visit page, the service and the
printed card all ask here.

- yellow: nobody was home (the card asks them to contact the community on return);
- pink: the household has a returnee;
- red: residents at home, otherwise (a refusal to open too: somebody is home).
"""

from residents.rounds.models import Visit

Colour = Visit.Colour
Result = Visit.Result


def colour_for(*, result: str, has_returnee: bool) -> str:
    if result == Result.NOBODY:
        return Colour.YELLOW
    if has_returnee:
        return Colour.PINK
    return Colour.RED
