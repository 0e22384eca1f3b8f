import { IsUserAge, IsUserEmail, IsUserName } from './user-fields';

export class CreateUserDto {
  @IsUserName()
  name!: string;

  @IsUserEmail()
  email!: string;

  @IsUserAge()
  age!: number;
}
