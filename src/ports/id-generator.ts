/** Client order ids, generated before the send (valid per Binance's `^[\.A-Z\:/a-z0-9_-]{1,36}$`). */
export interface IdGenerator {
  newClientOrderId(): string;
}
