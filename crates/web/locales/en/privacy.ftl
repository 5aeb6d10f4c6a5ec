# Satisfaction (seed 002) and privacy (PDPL) on the portal and the desk.
rate-question-handling = How satisfied are you with how your request was handled?
rate-question-clarity = How clear was the procedure?
rate-question-closure = How satisfied are you with how your request was closed?
rate-label-handling = Handling
rate-label-clarity = Clarity of the procedure
rate-label-closure = Closure
rate-error-handling = Choose a score from 1 to 5 for the handling of your request.
rate-error-clarity = Choose a score from 1 to 5 for the clarity of the procedure.
rate-error-closure = Choose a score from 1 to 5 for the closure.
rate-editable-until = You can change your answer until { $until }.
rate-final = Your answer can no longer be changed.
rate-scores-short = (handling/clarity/closure)
event-satisfaction = The requester rated the service
event-satisfaction-edited = The requester changed their rating
