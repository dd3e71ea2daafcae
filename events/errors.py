"""Domain rule violations, raised by the aggregates and mapped to HTTP statuses once, in coord/.
Messages are one sentence and never contain personal data: they reach logs and API clients."""


class DomainError(Exception):
    """Base of domain rule violations."""


class TransitionError(DomainError):
    """The aggregate's current state does not allow the requested change (HTTP 409)."""


class DateRuleError(DomainError):
    """An effective date breaks a date rule, e.g. lies in the future (HTTP 422)."""


class RuleError(DomainError):
    """A value is missing, malformed or outside its vocabulary (HTTP 422)."""


class NotFoundError(DomainError):
    """Something named inside an aggregate, such as a consent, does not exist (HTTP 404)."""


class ErasedError(TransitionError):
    """Personal data was given for a person whose personal data was erased (HTTP 409)."""
