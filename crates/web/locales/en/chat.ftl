# Sanad — live chat on the provider's own website (English).
# The widget embedded in the provider's site receives these texts from /o/<slug>/chat/status.

chat-launcher = Chat with the support team
chat-title = Chat with us
chat-close = Close the chat
chat-online = The support team is online; write your question and we will answer here.
chat-offline = We are outside working hours now. Leave your message and e-mail address and we will answer you.
chat-name = Name
chat-email = E-mail
chat-email-optional = E-mail (optional)
chat-message = Your message
chat-start = Start the chat
chat-leave = Send your message
chat-send = Send
# Keep { $number } as it is: the widget puts the request number in its place.
chat-ticket = Your request number is { $number }.
chat-error = Sending failed; please try again.
chat-error-name = Write your name (up to 200 characters).
chat-error-email = Write a valid e-mail address so that we can answer you, such as name@example.sa.
chat-error-phone = Write the mobile number as 05XXXXXXXX.
chat-error-message = { $count ->
    [one] Write your message, up to one character.
   *[other] Write your message, up to { $count } characters.
}
chat-error-busy = You sent many messages in a short time; wait a minute and try again.
chat-ended = This chat has ended; you can start a new one.
